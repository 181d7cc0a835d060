"""The face engine: detect, assess quality, align and template, compare.

Pure numpy in, numpy out; imports nothing else of FRT's. Heavy libraries (dlib, OpenCV,
onnxruntime) load on first use. Public entry points:

- `frt.engine.images.decode_image`, `load_image`
- `frt.engine.detect.get_detector`, `Face`, `Detector`
- `frt.engine.quality.assess`, `Quality`, `QualityThresholds`
- `frt.engine.template.get_algorithm`, `register_algorithm`, `Template`, `TemplateAlgorithm`
- `frt.engine.compare.similarity`, `Gallery`, `Candidate`
- `frt.engine.normalise.Cohort`
- `frt.engine.enrol.template_image`, `template_many`, `reenrol`
"""
