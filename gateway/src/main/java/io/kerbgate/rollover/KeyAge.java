package io.kerbgate.rollover;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * When the KDC's current key of the array principal was committed: from the journal of the run that committed it,
 * else from the KDC's own record (MIT's "Last password change"); empty when neither knows.
 */
final class KeyAge {

    private KeyAge() {}

    static Optional<Instant> committedAt(RolloverContext ctx, int currentKvno) throws IOException, KdcException {
        Optional<Journal> journal = Journal.load(ctx.array().besideFile("journal.json"));
        if (journal.isPresent() && journal.get().targetKvno() == currentKvno
                && journal.get().principal().equals(ctx.array().principal()) && journal.get().committedAt().isPresent()) {
            return journal.get().committedAt();
        }
        return ctx.kdc().keyChangedAt(ctx.array().principal());
    }

    /** An unfinished run blocks the commands that change nodes outside it. */
    static Optional<String> unfinishedRun(RolloverContext ctx) throws IOException {
        Optional<Journal> journal = Journal.load(ctx.array().besideFile("journal.json"));
        return journal.filter(j -> !j.finished()).map(j -> "run " + j.runId() + " (" + j.command() + " to kvno "
                + j.targetKvno() + ") is unfinished; finish it first with kerbgate keys roll");
    }
}
