"""Pure renderers (no Django): blocking (grey-box), clip, diffusion."""


class RenderCancelled(Exception):
    """Raised inside a render when its job was cancelled; the task turns it into the job's cancel."""
