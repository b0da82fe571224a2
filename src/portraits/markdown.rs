//! Markdown to safe HTML for the qualitative sections of a portrait.
//!
//! Staff write Markdown; the public reads HTML built here. Raw HTML in the source
//! (blocks and inline tags) is shown as text, never passed through, and links or
//! images whose scheme is not `http`, `https` or `mailto` lose their target, so a
//! section can carry neither a `<script>` nor a `javascript:` link.
//!
//! ```
//! let html = ess_atlas::portraits::markdown::render("**Arras** <script>alert(1)</script>");
//! assert_eq!(html, "<p><strong>Arras</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
//! ```

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Renders `markdown` to HTML that is safe to insert into a page.
#[must_use]
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// `url` when it is relative or uses a safe scheme, else an empty target.
fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore ASCII tabs, newlines and leading spaces/controls in a scheme.
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = cleaned.find(':');
    let path_start = cleaned.find(['/', '?', '#']);
    let has_scheme = match (scheme_end, path_start) {
        (Some(c), Some(p)) => c < p,
        (Some(_), None) => true,
        (None, _) => false,
    };
    if !has_scheme
        || ["http:", "https:", "mailto:"]
            .iter()
            .any(|s| cleaned.starts_with(s))
    {
        url
    } else {
        CowStr::Borrowed("")
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn raw_html_is_escaped() {
        let html = render("<script>alert('x')</script>\n\nTexte <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn unsafe_link_schemes_are_dropped() {
        for src in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](data:text/html,hi)",
            "![x](vbscript:msgbox)",
        ] {
            let html = render(src);
            assert!(
                !html.to_ascii_lowercase().contains("script:"),
                "{src} → {html}"
            );
            assert!(!html.contains("data:"), "{src} → {html}");
        }
    }

    #[test]
    fn safe_links_and_formatting_survive() {
        let html = render(
            "## Acteurs\n\n- [CRESS](https://cress.example/a?b=1) et [page](/territoires/ARR)\n- *coopératives*",
        );
        assert!(html.contains("<h2>Acteurs</h2>"), "{html}");
        assert!(
            html.contains(r#"<a href="https://cress.example/a?b=1">CRESS</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="/territoires/ARR">page</a>"#),
            "{html}"
        );
        assert!(html.contains("<em>coopératives</em>"), "{html}");
    }
}
