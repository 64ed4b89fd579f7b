"""Names for the types previs and the renderers pass around (for the type checker; nothing runs here)."""

from typing import Any

import numpy as np
import numpy.typing as npt

# A JSON object as stored or received: a camera spec or one of its sections, a board snapshot.
# Its keys and values are checked at run time (previs.spec.normalize_spec, the pydantic models of
# previs/spec_models.py, the export's service), not statically, so its values are Any.
JsonObject = dict[str, Any]

# Arrays of float64: world points, depths, pixel planes.
FloatArray = npt.NDArray[np.float64]
