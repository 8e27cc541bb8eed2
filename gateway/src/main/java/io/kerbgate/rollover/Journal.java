package io.kerbgate.rollover;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The record of one run, beside the array file ({@code <array>.journal.json}), rewritten atomically after every
 * change of state so that a run killed at any point leaves the last state it reached. It never holds a password or
 * a key: details are the messages of node and KDC errors, which carry none. The format:
 * <pre>{@code
 * {"format": 1, "run_id": "20261125T080000Z-3f2a9c1b", "command": "roll",
 *  "principal": "HTTP/array.example.test@ARRAY.TEST", "from_kvno": 1, "target_kvno": 2, "create": false,
 *  "nodes": ["node1", "node2"], "state": "running",            // running | failed | done
 *  "started_at": "...", "updated_at": "...", "committed_at": null, "error": null,
 *  "steps": {"generate": {"state": "done", "at": "..."},       // started | done | failed | skipped
 *            "distribute": {"state": "failed", "at": "...", "detail": "node2: directory /srv/node2 does not exist"}},
 *  "node_steps": {"node1": {"distribute": {"state": "done", "at": "..."}}},
 *  "last_success": {"kvno": 1, "at": "...", "run_id": "..."}}   // the last run that finished; carried over
 * }</pre>
 * {@code last_success} outlives the run that wrote it: a new run copies it from the journal it replaces, so a failed
 * run still tells when the array key was last rolled ({@code keys roll --metrics-file}, for Prometheus).
 * The one state resuming depends on is {@code steps.commit.state}: {@code started} is written before the KDC is
 * asked, so a rerun that finds it started knows the KDC may already hold the key, and reads its kvno to tell.
 */
final class Journal {

    static final int FORMAT = 1;
    static final String STARTED = "started";
    static final String DONE = "done";
    static final String FAILED = "failed";
    static final String SKIPPED = "skipped";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root;

    private Journal(ObjectNode root) {
        this.root = root;
    }

    static Journal start(String runId, String command, String principal, int fromKvno, int targetKvno, boolean create,
            List<String> nodes, Instant now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("run_id", runId).put("command", command).put("principal", principal)
                .put("from_kvno", fromKvno).put("target_kvno", targetKvno).put("create", create);
        nodes.forEach(root.putArray("nodes")::add);
        root.put("state", "running").put("started_at", now.toString()).put("updated_at", now.toString());
        root.putNull("committed_at");
        root.putNull("error");
        root.putObject("steps");
        root.putObject("node_steps");
        return new Journal(root);
    }

    /** The journal at {@code file}, or empty when there is none. @throws IOException when it exists but is unreadable */
    static Optional<Journal> load(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        JsonNode node = JSON.readTree(bytes);
        if (!(node instanceof ObjectNode object) || object.path("format").asInt() != FORMAT) {
            throw new IOException(file + " is not a kerbgate rollover journal of format " + FORMAT);
        }
        return Optional.of(new Journal(object));
    }

    /** Temp file, fsync, rename: a reader (or a rerun) sees the previous state or this one. */
    void save(Path file, Instant now) throws IOException {
        root.put("updated_at", now.toString());
        byte[] bytes = JSON.writeValueAsBytes(root);
        Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    String runId() {
        return root.path("run_id").asText();
    }

    String command() {
        return root.path("command").asText();
    }

    String principal() {
        return root.path("principal").asText();
    }

    int fromKvno() {
        return root.path("from_kvno").asInt();
    }

    int targetKvno() {
        return root.path("target_kvno").asInt();
    }

    boolean create() {
        return root.path("create").asBoolean();
    }

    List<String> nodes() {
        List<String> out = new ArrayList<>();
        root.path("nodes").forEach(n -> out.add(n.asText()));
        return out;
    }

    boolean finished() {
        return DONE.equals(root.path("state").asText());
    }

    Optional<Instant> committedAt() {
        JsonNode at = root.get("committed_at");
        return at == null || at.isNull() ? Optional.empty() : Optional.of(Instant.parse(at.asText()));
    }

    /** The state of a step: {@code started}, {@code done}, {@code failed}, {@code skipped}, or empty when not reached. */
    Optional<String> step(Step step) {
        JsonNode s = root.path("steps").get(step.label());
        return s == null ? Optional.empty() : Optional.of(s.path("state").asText());
    }

    /** The last step that was started (in any state), for "interrupted at" messages. */
    Optional<Step> lastStep() {
        Step last = null;
        for (Step s : Step.values()) {
            if (root.path("steps").has(s.label())) {
                last = s;
            }
        }
        return Optional.ofNullable(last);
    }

    /** The state of a node in a step, or empty when the step did not reach it. */
    Optional<String> nodeStep(String node, Step step) {
        JsonNode s = root.path("node_steps").path(node).get(step.label());
        return s == null ? Optional.empty() : Optional.of(s.path("state").asText());
    }

    void step(Step step, String state, @Nullable String detail, Instant now) {
        ObjectNode s = ((ObjectNode) root.get("steps")).putObject(step.label());
        s.put("state", state).put("at", now.toString());
        if (detail != null) {
            s.put("detail", detail);
        }
    }

    void node(String node, Step step, String state, @Nullable String detail, Instant now) {
        ObjectNode nodes = (ObjectNode) root.get("node_steps");
        ObjectNode n = nodes.has(node) ? (ObjectNode) nodes.get(node) : nodes.putObject(node);
        ObjectNode s = n.putObject(step.label());
        s.put("state", state).put("at", now.toString());
        if (detail != null) {
            s.put("detail", detail);
        }
    }

    void committed(Instant at) {
        root.put("committed_at", at.toString());
    }

    void failed(String error) {
        root.put("state", FAILED).put("error", error);
    }

    void running() {
        root.put("state", "running").putNull("error");
    }

    void done(Instant now) {
        root.put("state", DONE).putNull("error");
        root.putObject("last_success").put("kvno", targetKvno()).put("at", now.toString()).put("run_id", runId());
    }

    /** Keeps the last success of the journal this one replaces (or that journal itself, when it finished). */
    void carryLastSuccess(Journal previous) {
        JsonNode carried = previous.root.get("last_success");
        if (carried instanceof ObjectNode success) {
            root.set("last_success", success.deepCopy());
        } else if (previous.finished()) {
            // A journal from before last_success existed: its run finished at its last update.
            root.putObject("last_success").put("kvno", previous.targetKvno())
                    .put("at", previous.root.path("updated_at").asText()).put("run_id", previous.runId());
        }
    }

    /** When the last run that finished did, and the kvno it put on every node; empty when none ever finished. */
    Optional<Success> lastSuccess() {
        JsonNode success = root.get("last_success");
        if (!(success instanceof ObjectNode node) || !node.hasNonNull("at")) {
            return finished() ? Optional.of(new Success(targetKvno(), Instant.parse(root.path("updated_at").asText())))
                    : Optional.empty();
        }
        return Optional.of(new Success(node.path("kvno").asInt(), Instant.parse(node.path("at").asText())));
    }

    record Success(int kvno, Instant at) {}
}
