package io.kerbgate.rollover;

import io.kerbgate.keys.KeytabEntry;
import io.kerbgate.keys.KeytabFile;
import io.kerbgate.rollover.kdc.MitKdcAdapter;
import io.kerbgate.rollover.node.Nodes;
import io.kerbgate.testing.JdkKrb5;
import io.kerbgate.testing.MitKdc;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * An array of three file nodes on a real MIT KDC, written as an array file and read back through {@link ArrayFile},
 * with the tool's output captured.
 */
final class ArrayFixture {

    static final String CHECK_CLIENT = "rollcheck@ARRAY.TEST";

    final MitKdc kdc;
    final Path dir;
    final String principal;
    final Path arrayFile;
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final List<String> nodeNames = List.of("node1", "node2", "node3");

    ArrayFixture(MitKdc kdc, Path dir, String host, Path checkKeytab) throws IOException {
        this.kdc = kdc;
        this.dir = dir;
        this.principal = "HTTP/" + host + "@" + kdc.realm();
        StringBuilder nodes = new StringBuilder();
        for (String node : nodeNames) {
            Files.createDirectories(dir.resolve(node));
            nodes.append("  - {name: ").append(node).append(", keytab: ").append(node).append("/http.keytab}\n");
        }
        this.arrayFile = Files.writeString(dir.resolve("array.yaml"), "principal: " + principal + "\n"
                + "enctypes: [aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, aes256-cts-hmac-sha384-192]\n"
                + "kdc: {type: mit, kadmin: local, krb5_config: " + kdc.krb5Conf() + ", kdc_profile: "
                + kdcProfile() + "}\n"
                + "nodes:\n" + nodes
                + "grace: 10h5m\n"
                + "check: {client: " + CHECK_CLIENT + ", keytab: " + checkKeytab + ", krb5_conf: " + kdc.krb5Conf()
                + "}\n");
    }

    Path kdcProfile() {
        return kdc.krb5Conf().resolveSibling("kdc.conf");
    }

    Path keytab(String node) {
        return dir.resolve(node).resolve("http.keytab");
    }

    List<KeytabEntry> entries(String node) throws IOException {
        try {
            return KeytabFile.parse(Files.readAllBytes(keytab(node)));
        } catch (io.kerbgate.keys.KeytabException e) {
            throw new IOException(e);
        }
    }

    List<Integer> kvnos(String node) throws IOException {
        return entries(node).stream().map(KeytabEntry::kvno).distinct().sorted().toList();
    }

    /** What {@code ktadd -norandkey} exports: the KDC's own keys. */
    List<KeytabEntry> kdcKeys() throws IOException {
        Path export = Files.createTempFile(dir, "export", ".keytab");
        Files.delete(export);
        kdc.exportKeytab(principal, export);
        return entries(export);
    }

    static List<KeytabEntry> entries(Path keytab) throws IOException {
        try {
            return KeytabFile.parse(Files.readAllBytes(keytab));
        } catch (io.kerbgate.keys.KeytabException e) {
            throw new IOException(e);
        }
    }

    KeysTool tool(Clock clock, RolloverHooks hooks) throws Exception {
        ArrayConfig array = ArrayFile.load(arrayFile);
        MitKdcAdapter adapter = MitKdcAdapter.create((ArrayConfig.MitKdc) array.kdc(), array.realm(), array.enctypes());
        RolloverContext ctx = RolloverContext.of(array, adapter, Nodes.of(array), new KeytabTicketSource(array.check()), clock,
                new PrintStream(output, true, StandardCharsets.UTF_8));
        return new KeysTool(ctx.withHooks(hooks));
    }

    /** Runs one command of the tool with the JDK's Kerberos pointed at this KDC (the check step's client). */
    int run(Clock clock, RolloverHooks hooks, ToIntFunction<KeysTool> command) throws Exception {
        KeysTool tool = tool(clock, hooks);
        return JdkKrb5.call(kdc.krb5Conf(), () -> command.applyAsInt(tool));
    }

    int run(ToIntFunction<KeysTool> command) throws Exception {
        return run(Clock.systemUTC(), RolloverHooks.NONE, command);
    }

    String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    Path journal() {
        return dir.resolve("array.yaml.journal.json");
    }

    Path pending() {
        return dir.resolve("array.yaml.pending.keytab");
    }

    List<String> lines(String containing) {
        List<String> out = new ArrayList<>();
        for (String line : output().split("\n")) {
            if (line.contains(containing)) {
                out.add(line);
            }
        }
        return out;
    }
}
