"""Liveness for load balancers and monitoring: public, says nothing about the data."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", name="health")
def health() -> dict[str, str]:
    return {"status": "ok"}
