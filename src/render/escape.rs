//! HTML escaping of every text that comes from the input or the plan.
//!
//! Ids and names are free strings (an id may well contain `<` or `"`), and the page carries
//! them both as text and inside double-quoted attribute values, so one escaper that is safe
//! in both places is used everywhere. No input text is ever written into the page's script
//! or style: the script reads what it needs from `data-` attributes.

use std::borrow::Cow;

/// Escapes `&`, `<`, `>`, `"` and `'` so that `s` is inert as element text and as a quoted
/// attribute value; borrows when there is nothing to escape (the common case for ids).
pub fn esc(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<b a="1" b='2'>&</b>"#),
            "&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;&lt;/b&gt;"
        );
    }

    #[test]
    fn borrows_plain_ids() {
        assert!(matches!(esc("ciamt-D001"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(esc("é ü"), "é ü");
    }
}
