package io.kerbgate.cli;

import io.kerbgate.config.ConfigException;
import io.kerbgate.rollover.ArrayConfig;
import io.kerbgate.rollover.ArrayFile;
import io.kerbgate.rollover.KdcAdapter;
import io.kerbgate.rollover.KeysTool;
import io.kerbgate.rollover.kdc.ActiveDirectoryKdcAdapter;
import io.kerbgate.rollover.kdc.MitKdcAdapter;
import io.kerbgate.rollover.node.Nodes;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The rollover tool's wiring: the array file picks the KDC adapter ({@code rollover.kdc}) and the node targets
 * ({@code rollover.node}) that the protocol ({@code rollover}) drives through its own interfaces, so the protocol
 * never imports an implementation.
 */
public final class KeysToolFactory {

    private KeysToolFactory() {}

    /**
     * The tool for an array file, with the KDC adapter and check client it configures.
     *
     * @throws ConfigException when the file is wrong, or asks for the embedded Kerby KDC (in-process only: use
     *                         {@link #forArray(ArrayConfig, KdcAdapter, Clock, PrintStream)})
     */
    public static KeysTool forArrayFile(Path file, PrintStream out) throws ConfigException {
        ArrayConfig array = ArrayFile.load(file);
        if (array.kdc() instanceof ArrayConfig.AdKdc ad) {
            return forArray(array, ActiveDirectoryKdcAdapter.create(ad, array.realm(), array.enctypes()),
                    Clock.systemUTC(), out);
        }
        if (!(array.kdc() instanceof ArrayConfig.MitKdc mit)) {
            throw new ConfigException("kdc.type", "kerby is the embedded KDC of the demo and tests; it cannot be "
                    + "reached from the command line", "use type: mit");
        }
        return forArray(array, MitKdcAdapter.create(mit, array.realm(), array.enctypes()), Clock.systemUTC(), out);
    }

    /** The tool for an array with a KDC adapter of the caller's (a test's embedded Kerby KDC). */
    public static KeysTool forArray(ArrayConfig array, KdcAdapter kdc, Clock clock, PrintStream out) {
        return KeysTool.forArray(array, kdc, Nodes.of(array), clock, out);
    }
}
