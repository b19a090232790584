from django.template import Context, Template

from core.plotly_js import PLOTLY_VERSION


def test_plotly_bundle_is_served_locally_and_cached(client):
    tag = Template("{% load charts %}{% plotly_script %}").render(Context())
    url = tag.split('"')[1]
    assert PLOTLY_VERSION in url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "immutable" in response["Cache-Control"]
    assert b"Plotly" in response.content[:5000] or b"plotly" in response.content[:5000]


def test_unknown_plotly_version_is_404(client):
    assert client.get("/assets/plotly-0.0.0.min.js").status_code == 404
