package io.kerbgate.proxy;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * Real servlet containers as backends: embedded Tomcat and Jetty, each with the same servlets at the same mappings,
 * each servlet answering with {@code key=value} lines that say which servlet the container dispatched to and how it
 * read the request. Both containers are configured as leniently as they allow (Tomcat decodes {@code %2F} and takes
 * {@code \} as {@code /}; Jetty runs {@link UriCompliance#UNSAFE} and decodes ambiguous URIs), so that they dispatch
 * every spelling they can make sense of: the harder case for a gateway in front of them.
 *
 * <table>
 *   <caption>Mappings</caption>
 *   <tr><th>Context</th><th>Mapping</th><th>Servlet</th></tr>
 *   <tr><td>{@code ""}</td><td>{@code /admin/*}</td><td>{@code admin}</td></tr>
 *   <tr><td>{@code ""}</td><td>{@code /static/*}</td><td>{@code static}</td></tr>
 *   <tr><td>{@code ""}</td><td>{@code /secret} (exact)</td><td>{@code secret}</td></tr>
 *   <tr><td>{@code ""}</td><td>{@code *.jsp}</td><td>{@code jsp}</td></tr>
 *   <tr><td>{@code ""}</td><td>{@code /}</td><td>{@code default}</td></tr>
 *   <tr><td>{@code /ctx}</td><td>{@code /*}</td><td>{@code ctx}</td></tr>
 * </table>
 */
final class ServletBackends {

    /** Servlet name by mapping, in the root context. */
    static final Map<String, String> ROOT_MAPPINGS = Map.of(
            "/admin/*", "admin", "/static/*", "static", "/secret", "secret", "*.jsp", "jsp", "/", "default");
    static final String CONTEXT_PATH = "/ctx";

    private ServletBackends() {}

    /** One running container. */
    interface Container extends AutoCloseable {
        String name();

        URI uri();

        @Override
        void close() throws Exception;
    }

    static Container tomcat(Path baseDir) throws LifecycleException {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("relaxedPathChars", "[]|{}^`\"<>");
        connector.setEncodedSolidusHandling("decode");
        connector.setAllowBackslash(true);
        tomcat.setConnector(connector);
        Context root = tomcat.addContext("", baseDir.toString());
        for (Map.Entry<String, String> m : ROOT_MAPPINGS.entrySet()) {
            Tomcat.addServlet(root, m.getValue(), new Reporter("tomcat", m.getValue()));
            root.addServletMappingDecoded(m.getKey(), m.getValue());
        }
        Context ctx = tomcat.addContext(CONTEXT_PATH, baseDir.toString());
        Tomcat.addServlet(ctx, "ctx", new Reporter("tomcat", "ctx"));
        ctx.addServletMappingDecoded("/*", "ctx");
        tomcat.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        return new Container() {
            @Override
            public String name() {
                return "tomcat";
            }

            @Override
            public URI uri() {
                return uri;
            }

            @Override
            public void close() throws LifecycleException {
                tomcat.stop();
                tomcat.destroy();
            }
        };
    }

    static Container jetty() throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler root = new ServletContextHandler("/");
        root.getServletHandler().setDecodeAmbiguousURIs(true);
        for (Map.Entry<String, String> m : ROOT_MAPPINGS.entrySet()) {
            root.addServlet(new ServletHolder(m.getValue(), new Reporter("jetty", m.getValue())), m.getKey());
        }
        ServletContextHandler ctx = new ServletContextHandler(CONTEXT_PATH);
        ctx.getServletHandler().setDecodeAmbiguousURIs(true);
        ctx.addServlet(new ServletHolder("ctx", new Reporter("jetty", "ctx")), "/*");
        server.setHandler(new ContextHandlerCollection(root, ctx));
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort());
        return new Container() {
            @Override
            public String name() {
                return "jetty";
            }

            @Override
            public URI uri() {
                return uri;
            }

            @Override
            public void close() throws Exception {
                server.stop();
            }
        };
    }

    /** Answers every method with what the container dispatched: {@code servlet=<name>} and how it read the request. */
    static final class Reporter extends HttpServlet {
        private final String container;
        private final String servlet;

        Reporter(String container, String servlet) {
            this.container = container;
            this.servlet = servlet;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String text = "container=" + container + "\n"
                    + "servlet=" + servlet + "\n"
                    + "contextPath=" + request.getContextPath() + "\n"
                    + "servletPath=" + request.getServletPath() + "\n"
                    + "pathInfo=" + request.getPathInfo() + "\n"
                    + "requestURI=" + request.getRequestURI() + "\n"
                    + "host=" + String.join("|", list(request, "Host")) + "\n"
                    + "serverName=" + request.getServerName() + "\n"
                    + "xfh=" + String.join("|", list(request, "X-Forwarded-Host")) + "\n"
                    + "forwarded=" + String.join("|", list(request, "Forwarded")) + "\n"
                    + "identity=" + String.join("|", list(request, "X-Remote-User")) + "\n";
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            response.setStatus(200);
            response.setContentType("text/plain");
            response.setHeader("X-Servlet", servlet);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }

        private static List<String> list(HttpServletRequest request, String name) {
            return java.util.Collections.list(request.getHeaders(name));
        }
    }
}
