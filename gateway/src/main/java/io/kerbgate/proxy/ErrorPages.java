package io.kerbgate.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kerbgate.config.GatewayConfig;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The bodies of the 401 and 403 answers ({@code error_pages}), one per {@link PageKind}: a page that tells a browser's
 * user how to get in, an RFC 9457 problem document for API clients, and the one-line text for everyone else. Built
 * once per config; a refusal sends a duplicate. Every variant says {@code Vary: Accept} and {@code no-store}, so no
 * cache hands a browser's page to an API client, and none carries anything of the request.
 */
final class ErrorPages {

    /** The built-in pages: no script, no resource from elsewhere, styles inline. */
    private static final String BUILT_IN_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
    private static final String HEAD = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title>"
            + "<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;"
            + "line-height:1.5;color:#222}h1{font-size:1.5rem}code{background:#f2f2f2;padding:0 .2em}</style>"
            + "</head><body>\n<h1>%s</h1>\n";
    private static final String UNAUTHORIZED_HTML = """
            <p>This site signs you in with your organisation's Kerberos account (Windows integrated sign-in). \
            Your browser did not send a Kerberos ticket for it.</p>
            <ul>
            <li>Use a computer joined to your organisation's domain, signed in with your domain account, on its \
            network or VPN.</li>
            <li>Edge and Chrome on Windows: the site must be in the <em>Local intranet</em> zone, or in the \
            <code>AuthServerAllowlist</code> policy.</li>
            <li>Firefox: the site must be listed in <code>network.negotiate-auth.trusted-uris</code>.</li>
            <li>macOS and Linux: get a ticket first (<code>kinit you@EXAMPLE.COM</code>), then reload the page.</li>
            </ul>
            """;
    private static final String FORBIDDEN_HTML = """
            <p>You are signed in, but your account may not open this page.</p>
            <p>If you need it, ask its owner or your service desk for access. When access comes with a new group, \
            sign out and in again (or run <code>kinit</code> again): your ticket carries the groups you had when \
            you signed in.</p>
            """;

    private final FullHttpResponse[] unauthorized;
    private final FullHttpResponse[] forbidden;

    private ErrorPages(FullHttpResponse[] unauthorized, FullHttpResponse[] forbidden) {
        this.unauthorized = unauthorized;
        this.forbidden = forbidden;
    }

    static final ErrorPages BUILT_IN = of(GatewayConfig.ErrorPages.BUILT_IN);

    static ErrorPages of(GatewayConfig.ErrorPages config) {
        FullHttpResponse[] unauthorized = new FullHttpResponse[PageKind.values().length];
        unauthorized[PageKind.PLAIN.ordinal()] = plain(HttpResponseStatus.UNAUTHORIZED,
                ": Negotiate authentication required");
        unauthorized[PageKind.HTML.ordinal()] = html(HttpResponseStatus.UNAUTHORIZED, config.unauthorizedHtml(),
                "Sign-in required", UNAUTHORIZED_HTML, config.helpUrl());
        unauthorized[PageKind.JSON.ordinal()] = json(HttpResponseStatus.UNAUTHORIZED, config.unauthorizedJson(),
                "Kerberos authentication required: send Authorization: Negotiate with a ticket for this site"
                        + " (RFC 4559).", config.helpUrl());
        for (FullHttpResponse response : unauthorized) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, Responses.NEGOTIATE);
        }
        FullHttpResponse[] forbidden = new FullHttpResponse[PageKind.values().length];
        forbidden[PageKind.PLAIN.ordinal()] = plain(HttpResponseStatus.FORBIDDEN, "");
        forbidden[PageKind.HTML.ordinal()] = html(HttpResponseStatus.FORBIDDEN, config.forbiddenHtml(),
                "Access denied", FORBIDDEN_HTML, config.helpUrl());
        forbidden[PageKind.JSON.ordinal()] = json(HttpResponseStatus.FORBIDDEN, config.forbiddenJson(),
                "The authenticated principal may not use this resource.", config.helpUrl());
        return new ErrorPages(unauthorized, forbidden);
    }

    /**
     * The answer of this status for a client that sends this {@code Accept}, a duplicate of its own to add headers to;
     * null for a status without pages (only 401 and 403 have them).
     */
    @Nullable FullHttpResponse page(int status, @Nullable String accept) {
        FullHttpResponse[] pages = status == 401 ? unauthorized : status == 403 ? forbidden : null;
        return pages == null ? null : pages[PageKind.of(accept).ordinal()].retainedDuplicate();
    }

    private static FullHttpResponse plain(HttpResponseStatus status, String suffix) {
        return vary(Responses.build(status, suffix));
    }

    private static FullHttpResponse html(HttpResponseStatus status, @Nullable String custom, String title,
                                         String body, @Nullable URI helpUrl) {
        if (custom != null) {
            return vary(Responses.build(status, "text/html; charset=utf-8", custom.getBytes(StandardCharsets.UTF_8)));
        }
        StringBuilder page = new StringBuilder(String.format(HEAD, title, title)).append(body);
        if (helpUrl != null) {
            String href = escape(helpUrl.toString());
            page.append("<p>More help: <a href=\"").append(href).append("\">").append(href).append("</a></p>\n");
        }
        page.append("</body></html>\n");
        FullHttpResponse response = vary(Responses.build(status, "text/html; charset=utf-8",
                page.toString().getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, BUILT_IN_POLICY);
        return response;
    }

    private static FullHttpResponse json(HttpResponseStatus status, @Nullable String custom, String detail,
                                         @Nullable URI helpUrl) {
        if (custom != null) {
            return vary(Responses.build(status, "application/json", custom.getBytes(StandardCharsets.UTF_8)));
        }
        ObjectNode problem = new ObjectMapper().createObjectNode()
                .put("type", "about:blank")
                .put("title", status.reasonPhrase())
                .put("status", status.code())
                .put("detail", detail);
        if (helpUrl != null) {
            problem.put("help", helpUrl.toString());
        }
        byte[] body = (problem + "\n").getBytes(StandardCharsets.UTF_8);
        return vary(Responses.build(status, "application/problem+json", body));
    }

    private static FullHttpResponse vary(FullHttpResponse response) {
        response.headers()
                .set(HttpHeaderNames.VARY, "Accept")
                .set("X-Content-Type-Options", "nosniff");
        return response;
    }

    /** For an attribute value and element text: the help URL is the operator's, but still text, never markup. */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
