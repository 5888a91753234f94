package dev.drydock.portal.repository;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MarkdownTest {

    @Test
    void markdownIsRenderedAndTablesToo() {
        String html = Markdown.toHtml("# Title\n\nSome **bold** text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assertTrue(html.contains("<h1>Title</h1>"), html);
        assertTrue(html.contains("<strong>bold</strong>"), html);
        assertTrue(html.contains("<table>"), html);
    }

    @Test
    void scriptsEventHandlersAndJavascriptLinksComeOutInert() {
        String html = Markdown.toHtml("<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n"
                + "[click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>\n\n"
                + "<svg onload=alert(5)></svg>");
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<img"), html);
        assertFalse(html.contains("<svg"), html);
        assertFalse(html.contains("<a href=\"javascript:"), html);
        assertFalse(html.contains("href=\"javascript"), html);
        assertTrue(html.contains("&lt;script&gt;"), html);
    }
}
