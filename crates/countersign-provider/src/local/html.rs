//! The authorize pages, for a person with a browser.

use std::fmt::Write;

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The pages' look: inline (no external asset), readable on a phone.
const STYLE: &str = "\
body{margin:0;background:#f4f5f7;color:#1f2328;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
main{max-width:28rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}\
h1{font-size:1.35rem;margin:0 0 .75rem}\
.badge{display:inline-block;margin-bottom:1rem;padding:.15rem .6rem;border-radius:999px;background:#fff4ce;color:#7a5d00;font-size:.8rem}\
ul{padding-left:1.2rem}\
.buttons{display:flex;gap:.75rem;margin-top:1.25rem}\
button{flex:1;padding:.75rem;border:0;border-radius:8px;font-size:1rem;cursor:pointer}\
button[value=approve]{background:#1f6feb;color:#fff}\
button[value=deny]{background:#eaeef2;color:#1f2328}\
code{display:block;margin:1rem 0;padding:.75rem;background:#f6f8fa;border-radius:8px;font-size:1.4rem;letter-spacing:.05em;text-align:center;word-break:break-all}\
.note{color:#59636e;font-size:.875rem}";

/// A whole page: `title`, the local-provider badge and `body` in a card.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body><main>\n\
         <span class=\"badge\">countersign local test provider</span>\n{body}</main></body>\n</html>\n",
        escape(title)
    )
}

/// The page that asks the signed-in user to approve or deny `consumer_name`.
pub(crate) fn authorize(consumer_name: &str, username: &str, token: &str, csrf: &str) -> String {
    let app = escape(consumer_name);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>Authorize {app}</h1>\n\
         <p><strong>{app}</strong> asks to use your account <strong>{user}</strong> on this \
         provider: to read who you are and to call the API on your behalf.</p>\n\
         <ul>\n<li><strong>Approve</strong>: {app} gets an access token for your account, and \
         your browser goes back to the application (or you are shown a code to paste into \
         it).</li>\n<li><strong>Deny</strong>: {app} gets nothing, and is told so.</li>\n</ul>\n\
         <form method=\"post\">\n\
         <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\n\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\n\
         <div class=\"buttons\">\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </div>\n</form>\n\
         <p class=\"note\">This is a local provider for testing OAuth 1.0a clients, run by \
         countersign on this machine: no real account or data is involved.</p>\n",
        user = escape(username),
        token = escape(token),
        csrf = escape(csrf),
    );
    page(&format!("Authorize {consumer_name}"), &body)
}

/// The out-of-band page: the verifier to paste into the application.
pub(crate) fn verifier(consumer_name: &str, verifier: &str) -> String {
    let body = format!(
        "<h1>Access granted</h1>\n<p>Enter this code in <strong>{}</strong> to finish:</p>\n\
         <code id=\"verifier\">{}</code>\n\
         <p class=\"note\">It works once, and only for this authorization. You can close this \
         tab afterwards.</p>\n",
        escape(consumer_name),
        escape(verifier)
    );
    page("Access granted", &body)
}

/// The out-of-band page after a denial.
pub(crate) fn denied(consumer_name: &str) -> String {
    let body = format!(
        "<h1>Access denied</h1>\n<p><strong>{}</strong> was not given access to your account. \
         You can close this tab.</p>\n",
        escape(consumer_name)
    );
    page("Access denied", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped() {
        let html = authorize("<script>\"x\"&'y'", "u<", "t", "c");
        assert!(
            html.contains("&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        assert!(html.contains("u&lt;"));
    }

    #[test]
    fn every_page_is_self_contained_says_what_it_is_and_fits_a_phone() {
        let pages = [
            authorize("My App", "example", "tok", "csrf1"),
            verifier("My App", "ABC123"),
            denied("My App"),
        ];
        for html in &pages {
            assert!(html.contains("name=\"viewport\""), "{html}");
            assert!(html.contains("<style>"), "{html}");
            assert!(html.contains("countersign local test provider"), "{html}");
            // Nothing fetched from elsewhere.
            for external in ["http://", "https://", "src=", "<link"] {
                assert!(!html.contains(external), "{external} in {html}");
            }
        }
        let consent = &pages[0];
        assert!(consent.contains("your account <strong>example</strong>"));
        assert!(consent.contains("<strong>Approve</strong>: My App gets an access token"));
        assert!(consent.contains("<strong>Deny</strong>: My App gets nothing"));
        assert!(pages[1].contains("<code id=\"verifier\">ABC123</code>"));
    }
}
