"""The channels page offers Bluesky with its own form; connecting for real is tested against a PDS in
tests/integration/bluesky/test_bluesky.py."""

from __future__ import annotations

from tests.web.conftest import Site


def test_the_channels_page_has_a_bluesky_form_that_explains_what_is_missing(site: Site) -> None:
    page = site.client.get(f"{site.w}/channels?connect=bluesky").text
    assert '<input type="hidden" name="network" value="bluesky">' in page
    assert 'name="app_password" type="password"' in page and "App passwords" in page
    missing = site.post(f"{site.w}/channels/connect", {"network": "bluesky", "name": "No password",
                                                       "handle": "brand.bsky.social"})
    assert missing.status_code == 422 and "fill in: App password" in missing.text
    assert 'value="brand.bsky.social"' in missing.text  # what was typed comes back, except the secret
