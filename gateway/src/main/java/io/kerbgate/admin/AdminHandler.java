package io.kerbgate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kerbgate.config.ConfigLoader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutException;
import io.prometheus.client.exporter.common.TextFormat;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin endpoints. Stateless, so one instance serves every connection.
 *
 * <table>
 *   <caption>Responses</caption>
 *   <tr><th>request</th><th>response</th></tr>
 *   <tr><td>{@code GET /metrics}</td><td>200, Prometheus text 0.0.4, or OpenMetrics 1.0 when {@code Accept} asks</td></tr>
 *   <tr><td>{@code GET /healthz}</td><td>200 {@code ok}</td></tr>
 *   <tr><td>{@code GET /readyz}</td><td>200 {@code ready}, or 503 with the reason</td></tr>
 *   <tr><td>{@code GET /keys}</td><td>200 JSON</td></tr>
 *   <tr><td>{@code GET /config}</td><td>200 JSON, or YAML for {@code ?format=yaml} or {@code Accept: application/yaml}</td></tr>
 *   <tr><td>{@code HEAD} of any of these</td><td>the same status and headers, no body</td></tr>
 *   <tr><td>{@code PUT /keys} (a keytab), {@code DELETE /keys?principal=P&below_kvno=N}</td>
 *       <td>authenticated key writes, see {@link KeyWrites}</td></tr>
 *   <tr><td>another method on these paths</td><td>405 with {@code Allow: GET, HEAD} (and PUT, DELETE on /keys)</td></tr>
 *   <tr><td>any other path</td><td>404</td></tr>
 *   <tr><td>on plain HTTP, a {@code Host} that is not an IP literal, {@code localhost}, this machine's name or in
 *       {@code admin.allowed_hosts}</td><td>421, before anything else (DNS rebinding); counted in
 *       {@value #REFUSED}</td></tr>
 *   <tr><td>a supplier that throws</td><td>500; the exception goes to the log</td></tr>
 * </table>
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final List<String> PATHS = List.of("/metrics", "/healthz", "/readyz", "/keys", "/config");
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON_TYPE = "application/json";
    private static final String YAML_TYPE = "application/yaml; charset=utf-8";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(isoTimes(new SimpleModule("kerbgate-admin")));
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build();

    /** Admin requests refused for their {@code Host} (421), tag {@code reason="host"}. */
    static final String REFUSED = "kerbgate.admin.refused";

    private final PrometheusMeterRegistry registry;
    private final AdminEndpoints endpoints;
    private final AdminHosts hosts;
    private final Counter hostRefused;

    AdminHandler(PrometheusMeterRegistry registry, AdminEndpoints endpoints, AdminHosts hosts) {
        this.registry = registry;
        this.endpoints = endpoints;
        this.hosts = hosts;
        this.hostRefused = Counter.builder(REFUSED).description("Admin requests refused before any endpoint")
                .tag("reason", "host").register(registry);
    }

    // Without jackson-datatype-jsr310, Jackson refuses java.time values; the key ring's view is full of them.
    private static SimpleModule isoTimes(SimpleModule module) {
        for (Class<?> type : List.of(Instant.class, Duration.class, OffsetDateTime.class, ZonedDateTime.class)) {
            module.addSerializer(type, ToStringSerializer.instance);
        }
        return module;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            FullHttpResponse response = text(HttpResponseStatus.BAD_REQUEST, "bad request");
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response);
            return;
        }
        FullHttpResponse response;
        String host = request.headers().get(HttpHeaderNames.HOST);
        // Over TLS a browser has checked that the listener's certificate names the Host it sends, which a rebound
        // name cannot pass: only plain HTTP needs the check (and names by which nodes are reached keep working).
        if (ctx.pipeline().get(SslHandler.class) == null && !hosts.allows(host)) {
            // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 would read /config and /keys.
            hostRefused.increment();
            log.info("admin {} {} from {} refused: Host is not one of this listener's names (admin.allowed_hosts)",
                    request.method(), request.uri().length() > 100 ? "(long uri)" : request.uri(), peer(ctx));
            response = text(HttpResponseStatus.MISDIRECTED_REQUEST, "421 Misdirected Request: this Host is not a"
                    + " name of the admin listener; use its IP address or localhost, or add the name to"
                    + " admin.allowed_hosts\n");
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        try {
            response = respond(request, ctx);
        } catch (RuntimeException | JsonProcessingException e) {
            log.warn("admin {} {} failed", request.method(), request.uri(), e);
            response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
        }
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (request.method().equals(HttpMethod.HEAD)) {
            // Content-Length stays the length a GET would get (RFC 9110 §9.3.2); only the body goes.
            FullHttpResponse head = response.replace(Unpooled.EMPTY_BUFFER);
            response.release();
            response = head;
        }
        ctx.writeAndFlush(response);
    }

    private static InetAddress peer(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress() : InetAddress.getLoopbackAddress();
    }

    /** Who asks for a key write: the address, and over TLS the client certificate the handshake verified. */
    private static KeyWrites.Caller caller(ChannelHandlerContext ctx, FullHttpRequest request) {
        List<String> authorization = request.headers().getAll(HttpHeaderNames.AUTHORIZATION);
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return KeyWrites.Caller.plain(authorization, peer(ctx));
        }
        X500Principal subject = null;
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                subject = leaf.getSubjectX500Principal();
            }
        } catch (SSLPeerUnverifiedException e) {
            // No client certificate: Negotiate may still authenticate the writer.
        }
        return new KeyWrites.Caller(authorization, peer(ctx), true, subject);
    }

    private FullHttpResponse respond(FullHttpRequest request, ChannelHandlerContext ctx)
            throws JsonProcessingException {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        if (!PATHS.contains(path)) {
            return text(HttpResponseStatus.NOT_FOUND, "not found; try " + String.join(", ", PATHS));
        }
        boolean write = path.equals("/keys")
                && (request.method().equals(HttpMethod.PUT) || request.method().equals(HttpMethod.DELETE));
        if (write) {
            return keyWrite(request, uri, caller(ctx, request));
        }
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
            response.headers().set(HttpHeaderNames.ALLOW, path.equals("/keys") ? "GET, HEAD, PUT, DELETE" : "GET, HEAD");
            return response;
        }
        String accept = request.headers().get(HttpHeaderNames.ACCEPT, "");
        return switch (path) {
            case "/metrics" -> {
                String contentType = TextFormat.chooseContentType(accept);
                yield response(HttpResponseStatus.OK, contentType, registry.scrape(contentType));
            }
            case "/healthz" -> text(HttpResponseStatus.OK, "ok");
            case "/readyz" -> endpoints.ready().getAsBoolean()
                    ? text(HttpResponseStatus.OK, "ready")
                    : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + endpoints.notReadyReason().get());
            case "/keys" -> response(HttpResponseStatus.OK, JSON_TYPE, JSON.writeValueAsString(endpoints.keys().get()));
            default -> config(uri, accept);
        };
    }

    private FullHttpResponse keyWrite(FullHttpRequest request, QueryStringDecoder uri, KeyWrites.Caller caller) {
        KeyWrites.Answer answer;
        if (request.method().equals(HttpMethod.PUT)) {
            byte[] body = new byte[request.content().readableBytes()];
            request.content().getBytes(request.content().readerIndex(), body);
            answer = endpoints.keyWrites().put(caller, body);
        } else {
            answer = endpoints.keyWrites().delete(caller,
                    uri.parameters().getOrDefault("principal", List.of()),
                    uri.parameters().getOrDefault("below_kvno", List.of()));
        }
        FullHttpResponse response = text(HttpResponseStatus.valueOf(answer.status()), answer.body());
        if (answer.wwwAuthenticate() != null) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, answer.wwwAuthenticate());
        }
        return response;
    }

    private FullHttpResponse config(QueryStringDecoder uri, String accept) throws JsonProcessingException {
        var tree = ConfigLoader.toRedactedTree(endpoints.config().get());
        boolean yaml = uri.parameters().getOrDefault("format", List.of()).contains("yaml") || accept.contains("yaml");
        return yaml
                ? response(HttpResponseStatus.OK, YAML_TYPE, YAML.writeValueAsString(tree))
                : response(HttpResponseStatus.OK, JSON_TYPE, JSON.writeValueAsString(tree));
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, TEXT, body);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            log.debug("admin connection from {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
