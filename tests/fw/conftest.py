"""Fixtures: a project copy with the DIFF block and test firmware, and a host entered on it."""

from tests.fw.support import fw_project as fw_project
from tests.fw.support import host as host
from tests.fw.support import probe as probe
