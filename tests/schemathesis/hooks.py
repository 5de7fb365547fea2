"""Schemathesis hooks for Atalaia's API (tests/tests/api_schemathesis.rs).

The API takes some files as they are — a person's photo (JPEG or PNG), a document (PDF, JPEG or
PNG), a crew's attachment — and checks them by their bytes. Schemathesis cannot make such files
from a schema, so the test writes real ones (made by Rust's `image` crate) into the directory named
by ATALAIA_ST_SAMPLES and these strategies send them.
"""

import os
import pathlib

import schemathesis
from hypothesis import strategies as st

_samples = pathlib.Path(os.environ["ATALAIA_ST_SAMPLES"])


def _files(*names):
    return st.sampled_from([(_samples / n).read_bytes() for n in names])


schemathesis.openapi.media_type("image/jpeg", _files("photo.jpg"))
schemathesis.openapi.media_type("image/png", _files("photo.png"))
schemathesis.openapi.media_type("application/pdf", _files("document.pdf"))
