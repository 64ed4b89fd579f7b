"""The trade's vocabulary and camera maths, as plain Python.

Nothing in this package imports Django: the models take their choices from here, and the
renderers (workers/renderers) take their optics from here, so both speak the same words.
"""
