"""A downloadable product's links and samples, checked as Magento's content validators do."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from emulator_magento_support import admin_session

LINK = {
    "title": "PDF",
    "sort_order": 1,
    "is_shareable": 0,
    "price": 0,
    "number_of_downloads": 3,
    "link_type": "url",
    "link_url": "https://files.example.com/manual.pdf",
}
LINKS = "/products/MANUAL-PDF/downloadable-links"


@pytest.fixture
def api(shop) -> requests.Session:
    session = admin_session(shop, f"{shop.base_url}/rest/all/V1", seed="shop")
    manual = {"sku": "MANUAL-PDF", "name": "Manual", "price": 4, "attribute_set_id": 4}
    session.post(f"{session.base}/products", json={"product": manual | {"type_id": "downloadable"}})
    return session


def add(api, link: dict[str, Any], path: str = LINKS) -> requests.Response:
    return api.post(f"{api.base}{path}", json={"link": link})


def test_links_added_changed_listed_and_removed(api):
    first = add(api, LINK | {"sample_type": "url", "sample_url": "https://files.example.com/s.pdf"})
    assert first.json() == 1
    upload = {"file_data": "UEsDBA==", "name": "Manual.epub"}
    second = add(api, LINK | {"title": "EPUB", "link_type": "file", "link_file_content": upload})
    assert second.json() == 2
    listed = api.get(f"{api.base}{LINKS}").json()
    assert [(link["id"], link["title"]) for link in listed] == [(1, "PDF"), (2, "EPUB")]
    assert listed[1]["link_file"] == "/m/a/manual.epub"
    assert "link_file_content" not in listed[1]
    changed = api.put(f"{api.base}{LINKS}/1", json={"link": LINK | {"title": "PDF v2"}})
    assert changed.json() == 1
    again = api.get(f"{api.base}{LINKS}").json()[0]
    assert (again["title"], again["sample_url"]) == ("PDF v2", "https://files.example.com/s.pdf")
    assert api.delete(f"{api.base}/products/downloadable-links/1").json() is True
    assert [link["id"] for link in api.get(f"{api.base}{LINKS}").json()] == [2]
    gone = api.delete(f"{api.base}/products/downloadable-links/1")
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ({"link_type": "ftp"}, "The link type is invalid. Verify and try again."),
        ({"price": -1}, "Link price must have numeric positive value."),
        ({"number_of_downloads": -2}, "Number of downloads must be a positive integer."),
        ({"sort_order": -1}, "Sort order must be a positive integer."),
        ({"link_url": "files.example.com"}, "Link URL must have valid format."),
        (
            {
                "link_type": "file",
                "link_file_content": {"file_data": "not base64!", "name": "a.pdf"},
            },
            "Provided file content must be valid base64 encoded data.",
        ),
        ({"link_type": "file"}, "Link file not found. Please try again."),
        ({"sample_type": "ftp"}, "The link sample type is invalid. Verify and try again."),
        ({"title": ""}, "The link title is empty. Enter the link title and try again."),
    ],
)
def test_a_link_magento_refuses(api, link, message):
    refused = add(api, LINK | link)
    assert refused.status_code == 400
    assert refused.json() == {"message": message}
    assert api.get(f"{api.base}{LINKS}").json() == []


def test_samples_and_the_product_type(api):
    sample = {"title": "Contents", "sort_order": 0, "sample_type": "file"}
    content = {"file_data": "JVBERi0xLjQK", "name": "contents.pdf"}
    path = f"{api.base}{LINKS}/samples"
    made = api.post(path, json={"sample": sample | {"sample_file_content": content}})
    assert made.json() == 1  # samples are numbered apart from links
    renamed = api.put(f"{path}/1", json={"sample": sample | {"title": "Table of contents"}})
    assert renamed.json() == 1
    assert api.get(path).json() == [
        {"id": 1, "title": "Table of contents", "sort_order": 0, "sample_type": "file",
         "sample_file": "/c/o/contents.pdf"}
    ]  # fmt: skip
    not_downloadable = add(api, LINK, "/products/DRILL-18V/downloadable-links")
    assert not_downloadable.json()["message"].startswith("The product needs to be the downloadable")
    other = api.put(
        f"{api.base}/products/DRILL-18V/downloadable-links/samples/1", json={"sample": sample}
    )
    assert other.json() == {
        "message": "Provided downloadable sample is not related to given product."
    }
    assert api.delete(f"{api.base}/products/downloadable-links/samples/1").json() is True
    assert api.delete(f"{api.base}/products/downloadable-links/samples/1").status_code == 404
