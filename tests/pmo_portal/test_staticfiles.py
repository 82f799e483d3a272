"""The production static files storage: WhiteNoise's manifest storage, each file's URL worked out once."""

import json

import pytest
from django.test import override_settings

from pmo_portal.staticfiles import PortalStaticFilesStorage


def test_each_name_is_looked_up_once_and_a_missing_one_fails_every_time(tmp_path):
    manifest = {"paths": {"css/portal.css": "css/portal.0123456789ab.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    with override_settings(STATIC_URL="/static/", DEBUG=False):
        storage = PortalStaticFilesStorage(location=tmp_path)
        assert storage.url("css/portal.css") == "/static/css/portal.0123456789ab.css"
        before = PortalStaticFilesStorage.url.cache_info().hits
        assert storage.url("css/portal.css") == "/static/css/portal.0123456789ab.css"
        assert PortalStaticFilesStorage.url.cache_info().hits == before + 1
        for _attempt in range(2):
            with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
                storage.url("css/missing.css")
