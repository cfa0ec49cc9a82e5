"""``sbom.cdx.json``: the build as a CycloneDX 1.6 bill of materials, written with
cyclonedx-python-lib.  The image is the metadata component (with the digest of each file),
the firmware modules and spec files are its components, the toolchain its tools.

Deterministic: the serial number is a UUID5 of the ELF's digest, and the document has no
timestamp (optional in CycloneDX; a time of writing would make equal builds differ).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6

SERIAL_NAMESPACE = uuid.UUID("6f1c3b2e-2a4d-5c8e-9b7a-74616d617079")
"""The UUID5 namespace of tamapy audit serial numbers (fixed: the serial is a function of the image)."""


def _sha256(digest: str) -> list[HashType]:
    return [HashType(alg=HashAlgorithm.SHA_256, content=digest)]


def sbom_json(audit: dict[str, Any]) -> bytes:
    image = audit["image"]
    name = audit["app"].rsplit("/", 1)[-1]
    top = Component(
        name=name, type=ComponentType.FIRMWARE, bom_ref=f"image:{audit['app']}", version=image["digests"]["elf"][:12],
        description=f"{audit['app']} for {audit['board']} ({audit['soc']})", hashes=_sha256(image["digests"]["elf"]),
        properties=[Property(name=f"tamapy:sha256:{suffix}", value=d) for suffix, d in sorted(image["digests"].items())]
        + [Property(name="tamapy:verdict", value=audit["verdict"]["summary"])],
    )
    parts = [Component(name=f["path"], type=ComponentType.FILE if f["kind"] != "firmware" else ComponentType.LIBRARY,
                       bom_ref=f"{f['kind']}:{f['path']}", hashes=_sha256(f["sha256"]),
                       properties=[Property(name="tamapy:kind", value=f["kind"])])
             for f in audit["inputs"]["files"] if f["kind"] in ("firmware", "spec")]
    tools = [Component(name=tool, version=version, type=ComponentType.APPLICATION, bom_ref=f"tool:{tool}")
             for tool, version in sorted(audit["inputs"]["toolchain"].items())]
    bom = Bom(components=parts, serial_number=uuid.uuid5(SERIAL_NAMESPACE, image["digests"]["elf"]),
              metadata=BomMetaData(component=top, tools=ToolRepository(components=tools)))
    bom.register_dependency(top, parts)
    doc = json.loads(JsonV1Dot6(bom).output_as_string())
    doc["metadata"].pop("timestamp", None)
    return (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode()
