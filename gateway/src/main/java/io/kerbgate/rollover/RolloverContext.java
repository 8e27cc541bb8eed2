package io.kerbgate.rollover;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What every {@code kerbgate keys} command works with: the array file, the KDC, the nodes, the check client, and
 * the injected time, randomness and output.
 */
record RolloverContext(ArrayConfig array, KdcAdapter kdc, List<NodeTarget> nodes, @Nullable TicketSource tickets,
        Clock clock, SecureRandom random, HttpClient http, Progress progress, RolloverHooks hooks) {

    RolloverContext {
        Objects.requireNonNull(array, "array");
        Objects.requireNonNull(kdc, "kdc");
        nodes = List.copyOf(nodes);
    }

    RolloverContext withHooks(RolloverHooks hooks) {
        return new RolloverContext(array, kdc, nodes, tickets, clock, random, http, progress, hooks);
    }

    /** @param nodes the array's nodes, reached over the array file's admin TLS ({@code rollover.node.Nodes}) */
    static RolloverContext of(ArrayConfig array, KdcAdapter kdc, List<NodeTarget> nodes,
            @Nullable TicketSource tickets, Clock clock, PrintStream out) {
        // The check step's fronts over the JDK's defaults.
        return new RolloverContext(array, kdc, nodes, tickets, clock, new SecureRandom(), defaultHttpClient(),
                new Progress(out), RolloverHooks.NONE);
    }

    /** The client the check step reaches the nodes' fronts with; mTLS would configure its SSLContext here. */
    static HttpClient defaultHttpClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The nodes named, in the array file's order. @throws IllegalArgumentException naming an unknown node */
    List<NodeTarget> select(List<String> names) {
        List<NodeTarget> out = new ArrayList<>();
        for (String name : names) {
            out.add(nodes.stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("no node " + name + " in " + array.file() + "; it has "
                            + nodes.stream().map(NodeTarget::name).toList())));
        }
        return out;
    }
}
