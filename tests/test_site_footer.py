"""Every page's footer leads to the API documentation."""


def test_the_footer_links_the_api_documentation(client, db):
    page = client.get("/").content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    assert 'href="/api/docs/"' in footer
    assert client.get("/api/docs/").status_code == 200
