"""Markdown → HTML never yields executable markup. Each output is parsed the way a browser
would (html5lib), then checked against the allow-list: tags, attributes, link schemes, rel."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest
# bleach's own copy of html5lib: a WHATWG parser, so the tree is the one a browser builds.
from bleach._vendor import html5lib

from concert.services.security import render_markdown

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code",
                "pre", "a", "hr"}
ALLOWED_SCHEMES = ("http:", "https:", "mailto:")
REL = "nofollow noopener noreferrer"


def parse(html: str):
    return html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)


def elements(html: str) -> list:
    """Every element (comments left out), the fragment's own root excepted."""
    root = parse(html)
    return [el for el in root.iter() if el is not root and isinstance(el.tag, str)]


def text_of(html: str) -> str:
    return "".join(parse(html).itertext())


class _StartTags(HTMLParser):
    """A second, independent opinion: Python's own tokenizer."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def start_tags(html: str) -> list[tuple[str, dict]]:
    parser = _StartTags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_harmless(html: str) -> None:
    seen = [(el.tag, dict(el.attrib)) for el in elements(html)] + start_tags(html)
    for tag, attrs in seen:
        assert tag in ALLOWED_TAGS, f"<{tag}> in {html!r}"
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), f"{name}= in {html!r}"
            assert tag == "a" and name in ("href", "title", "rel"), f"{tag}[{name}] in {html!r}"
        if tag == "a":
            assert attrs.get("rel") == REL, html
            href = attrs.get("href")
            if href is not None:
                assert href.lower().startswith(ALLOWED_SCHEMES), f"href={href!r} in {html!r}"


# (id, Markdown source typed by a member)
XSS = [
    ("script", "<script>alert(1)</script>"),
    ("script-upper", "<SCRIPT>alert(1)</SCRIPT>"),
    ("script-mixed-case", "<ScRiPt>alert(1)</sCrIpT>"),
    ("script-src", '<script src="https://evil.example/x.js"></script>'),
    ("script-entities", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("script-numeric-entities", "&#60;script&#62;alert(1)&#60;/script&#62;"),
    ("script-split-tag", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("script-in-paragraph", "Bonjour <script>alert(document.cookie)</script> à tous"),
    ("script-block", "<script>\nalert(1)\n</script>\n\nsuite"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("img-onerror-quoted", '<img src="x" onerror="alert(1)">'),
    ("img-onerror-slash", "<img/src=x/onerror=alert(1)>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("svg-slash-onload", "<svg/onload=alert(1)>"),
    ("svg-animate", '<svg><animate onbegin=alert(1) attributeName=x dur=1s>'),
    ("svg-set-href", '<svg><a><set attributeName="href" to="javascript:alert(1)"/>'
                     '<text y="20">clic</text></a></svg>'),
    ("svg-script", "<svg><script>alert(1)</script></svg>"),
    ("body-onload", "<body onload=alert(1)>"),
    ("a-onmouseover", '<a href="https://ok.example" onmouseover="alert(1)">survol</a>'),
    ("div-onclick", "<div onclick=alert(1)>clic</div>"),
    ("div-block", '<div onmouseover="alert(1)">\n\nbloc\n\n</div>'),
    ("details-ontoggle", "<details open ontoggle=alert(1)>"),
    ("html-javascript-link", '<a href="javascript:alert(1)">clic</a>'),
    ("md-javascript-link", "[clic](javascript:alert(1))"),
    ("md-javascript-mixed-case", "[clic](JaVaScRiPt:alert(1))"),
    ("md-javascript-leading-space", "[clic](  javascript:alert(1))"),
    ("md-javascript-angle", "[clic](<javascript:alert(1)>)"),
    ("md-javascript-entity-tab", "[clic](jav&#x09;ascript:alert(1))"),
    ("md-javascript-entity-colon", "[clic](javascript&colon;alert(1))"),
    ("md-javascript-entity-encoded", "[clic](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;"
                                     "&#116;&#58;alert(1))"),
    ("md-javascript-hex-entities", "[clic](&#x6A;avascript:alert(1))"),
    ("md-javascript-newline", "[clic](java\nscript:alert(1))"),
    ("md-javascript-nul", "[clic](java\x00script:alert(1))"),
    ("md-javascript-control-char", "[clic](\x01javascript:alert(1))"),
    ("md-javascript-title", '[clic](javascript:alert(1) "titre")'),
    ("md-vbscript", "[clic](vbscript:msgbox(1))"),
    ("md-data-html", "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("md-data-svg", "[clic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"),
    ("md-image-javascript", "![img](javascript:alert(1))"),
    ("md-image-data-svg", "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"),
    ("md-image-remote", '![suivi](https://tracker.example/pixel.png "pixel")'),
    ("md-image-in-link", "[![img](https://evil.example/x.png)](javascript:alert(1))"),
    ("md-reference-link", "[clic][1]\n\n[1]: javascript:alert(1)"),
    ("md-reference-image", "![img][1]\n\n[1]: data:image/svg+xml,<svg onload=alert(1)>"),
    ("md-href-breakout", '[clic](https://ok.example" onmouseover="alert(1))'),
    ("md-title-breakout", '[clic](https://ok.example "a" onmouseover="alert(1)")'),
    ("md-title-quotes", "[clic](https://ok.example 'a\" onmouseover=\"alert(1)')"),
    ("autolink-javascript", "<javascript:alert(1)>"),
    ("autolink-data", "<data:text/html,<script>alert(1)</script>>"),
    ("autolink-vbscript", "<vbscript:msgbox(1)>"),
    ("bare-javascript-text", "javascript:alert(1)"),
    ("html-data-link", '<a href="data:text/html,<script>alert(1)</script>">x</a>'),
    ("iframe", '<iframe src="https://evil.example"></iframe>'),
    ("iframe-srcdoc", '<iframe srcdoc="<script>alert(1)</script>"></iframe>'),
    ("object", '<object data="javascript:alert(1)"></object>'),
    ("embed", '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">'),
    ("form-action", '<form action="javascript:alert(1)"><button>ok</button></form>'),
    ("button-formaction", '<button formaction="javascript:alert(1)">ok</button>'),
    ("input-autofocus", "<input autofocus onfocus=alert(1)>"),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'),
    ("base-href", '<base href="javascript:alert(1)//">'),
    ("link-stylesheet", '<link rel="stylesheet" href="https://evil.example/x.css">'),
    ("style-expression", "<style>body{width:expression(alert(1))}</style>"),
    ("style-url", "<style>@import 'javascript:alert(1)';</style>"),
    ("style-attribute", '<p style="background:url(javascript:alert(1))">x</p>'),
    ("style-attribute-expression", '<b style="width:expression(alert(1))">x</b>'),
    ("comment", "<!-- <script>alert(1)</script> -->"),
    ("comment-breakout", "<!--><img src=x onerror=alert(1)>-->"),
    ("conditional-comment", "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->"),
    ("cdata", "<![CDATA[<script>alert(1)</script>]]>"),
    ("cdata-in-svg",
     '<svg><![CDATA[><image xlink:href="]]><img src=x onerror=alert(1)>">]]></svg>'),
    ("unclosed-img", "<img src=x onerror=alert(1)"),
    ("unclosed-script", "<script>alert(1)"),
    ("malformed-quotes", '<img """><script>alert(1)</script>">'),
    ("malformed-attr", "<a href=\"https://ok.example\"\"onclick=alert(1)>x</a>"),
    ("nested-quotes", "<img src='x' alt=\"'\" onerror='alert(1)'>"),
    ("noscript-mxss", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'),
    ("textarea-mxss", '<textarea><p title="</textarea><img src=x onerror=alert(1)>">'),
    ("math-mxss", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"),
    ("template", "<template><script>alert(1)</script></template>"),
    ("xmp", "<xmp><script>alert(1)</script></xmp>"),
    ("unicode-fullwidth", "＜script＞alert(1)＜/script＞"),
    ("unicode-rtl-override", "[clic\u202e](javascript:alert(1))"),
    ("unicode-zero-width-scheme", "[clic](java\u200bscript:alert(1))"),
    ("unicode-escaped-script", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
    ("markdown-html-in-code", "`<script>alert(1)</script>`"),
    ("fenced-code-html", "```html\n<script>alert(1)</script>\n```"),
    ("fenced-code-language-breakout", '```"><img src=x onerror=alert(1)>\ncode\n```'),
    ("emphasis-around-tag", "**<img src=x onerror=alert(1)>**"),
    ("link-text-tag", "[<img src=x onerror=alert(1)>](https://ok.example)"),
    ("list-item-tag", "- <svg onload=alert(1)>\n- ok"),
    ("blockquote-tag", "> <iframe src=javascript:alert(1)>"),
    ("linkify-javascript", "voir javascript://example.com/%0Aalert(1)"),
    ("linkify-www-quote", 'www.example.com/"onmouseover="alert(1)'),
]


def test_the_corpus_is_large_enough():
    assert len(XSS) >= 40
    assert len({name for name, _ in XSS}) == len(XSS)


@pytest.mark.parametrize("source", [s for _, s in XSS], ids=[name for name, _ in XSS])
def test_payload_yields_no_executable_markup(source):
    html = render_markdown(source)
    assert_harmless(html)
    # The browser's tree, serialised again, is still harmless (no mutation on re-parse).
    again = html5lib.serialize(parse(html), tree="etree")
    assert_harmless(again)


# --- link policy ---------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "[x](/t/metropole/)", "[x](//evil.example/phish)", "[x](#ancre)", "[x](?q=1)",
    "[x](ftp://files.example/a)", "[x](file:///etc/passwd)", "[x](tel:+33100000000)",
])
def test_only_absolute_http_https_mailto_links_keep_their_href(source):
    (link,) = [el for el in elements(render_markdown(source)) if el.tag == "a"]
    assert link.get("href") is None
    assert link.text == "x" and link.get("rel") == REL


@pytest.mark.parametrize("source, href", [
    ("[site](https://www.interieur.gouv.fr)", "https://www.interieur.gouv.fr"),
    ("[site](http://example.org/a?b=1&c=2)", "http://example.org/a?b=1&c=2"),
    ("[site](HTTPS://EXAMPLE.ORG)", "HTTPS://EXAMPLE.ORG"),
    ("[écrire](mailto:csi@example.org)", "mailto:csi@example.org"),
    ("<https://example.org/rapport>", "https://example.org/rapport"),
    ("<csi@example.org>", "mailto:csi@example.org"),
    ("voir https://example.org/plan.pdf ici", "https://example.org/plan.pdf"),
    ("voir www.example.org", "http://www.example.org"),
])
def test_allowed_links_render_with_rel(source, href):
    (link,) = [el for el in elements(render_markdown(source)) if el.tag == "a"]
    assert link.get("href") == href
    assert link.get("rel") == REL


def test_link_title_is_kept_as_plain_text():
    (link,) = [el for el in elements(render_markdown('[x](https://a.example "Le titre")'))
               if el.tag == "a"]
    assert link.get("title") == "Le titre"


def test_urls_in_code_are_not_linkified():
    html = render_markdown("`https://example.org`\n\n```\nhttps://example.org\n```")
    assert not [el for el in elements(html) if el.tag == "a"]


# --- what members should see ---------------------------------------------------------------

def tags(source: str) -> list[str]:
    return [el.tag for el in elements(render_markdown(source))]


def test_emphasis():
    html = render_markdown("**fort** et _penché_ et *aussi*")
    assert html == "<p><strong>fort</strong> et <em>penché</em> et <em>aussi</em></p>"


def test_lists():
    assert tags("- un\n- deux") == ["ul", "li", "li"]
    assert tags("1. un\n2. deux") == ["ol", "li", "li"]
    assert text_of(render_markdown("- un\n- deux")).split() == ["un", "deux"]


def test_quote():
    assert tags("> La sécurité est l'affaire de tous.") == ["blockquote", "p"]


def test_inline_and_fenced_code_keep_their_text():
    inline = render_markdown("lancer `concert init` puis")
    assert tags("lancer `concert init` puis") == ["p", "code"]
    assert "concert init" in text_of(inline)
    fenced = render_markdown("```python\nif a < b:\n    print('ok')\n```")
    assert [el.tag for el in elements(fenced)] == ["pre", "code"]
    assert text_of(fenced) == "if a < b:\n    print('ok')\n"


def test_line_breaks_and_rule():
    assert tags("ligne un\nligne deux") == ["p", "br"]
    assert tags("avant\n\n---\n\naprès") == ["p", "hr", "p"]


def test_link_text_and_target():
    (link,) = [el for el in elements(render_markdown("[le rapport](https://example.org/r)"))
               if el.tag == "a"]
    assert link.text == "le rapport" and link.get("href") == "https://example.org/r"


@pytest.mark.parametrize("source", [
    "<b>gras</b>",
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "<div>\nbloc\n</div>",
    "<!-- commentaire -->",
    "a < b et c > d",
])
def test_raw_html_is_shown_as_text_not_dropped(source):
    html = render_markdown(source)
    assert_harmless(html)
    assert " ".join(text_of(html).split()) == " ".join(source.split())


def test_images_are_never_rendered():
    for source in ("![plan](https://example.org/plan.png)", '<img src="https://example.org/a.png">',
                   "![x][r]\n\n[r]: https://example.org/b.png"):
        assert "img" not in tags(source)


def test_entities_stay_text():
    assert text_of(render_markdown("&lt;b&gt; &amp; &eacute;")) == "<b> & é"


def test_french_text_survives_untouched():
    source = "Réunion à l'hôtel de ville — « tranquillité publique » : 15 € / mois"
    assert text_of(render_markdown(source)) == source
