package io.kerbgate.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the MIT krb5 tools (ktutil, klist, kdb5_util, kadmin.local) for interop tests. */
final class MitTools {
    private MitTools() {}

    /** Skips the calling test, saying which package to install, when a tool is not on the PATH or in /usr/sbin. */
    static String require(String tool, String debianPackage) {
        String found = locate(tool);
        assumeTrue(found != null, tool + " not found: install the MIT tools (apt-get install " + debianPackage
                + ") to run this interop test");
        return found;
    }

    private static String locate(String tool) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin"));
        for (String dir : dirs) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Runs a command with {@code stdin}, demands exit 0, returns stdout and stderr. */
    static String run(Path workDir, Map<String, String> env, String stdin, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, process.waitFor(30, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    /** One line of {@code klist -kteK}. */
    record KlistEntry(int kvno, String principal, String enctype, String keyHex) {}

    private static final Pattern KLIST_LINE =
            Pattern.compile("^\\s*(\\d+) \\S+ \\S+ (\\S+) \\((\\S+)\\)\\s+\\(0x([0-9a-f]+)\\)\\s*$");

    static List<KlistEntry> klist(Path keytab) throws IOException, InterruptedException {
        String klist = require("klist", "krb5-user");
        String output = run(keytab.getParent(), Map.of(), "", klist, "-kteK", keytab.toString());
        List<KlistEntry> entries = new ArrayList<>();
        for (String line : output.split("\n")) {
            Matcher m = KLIST_LINE.matcher(line);
            if (m.matches()) {
                entries.add(new KlistEntry(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4)));
            }
        }
        return entries;
    }
}
