package io.kerbgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ProcessesTest {

    @Test
    void run_passesEnvAndStdin_andCapturesStdout() {
        Processes.Result result = Processes.command("/bin/sh", "-c", "read line; echo \"$line $GREETING\"")
                .env("GREETING", "world").stdin("hello\n").run();
        assertEquals("hello world\n", result.stdout());
        assertEquals(0, result.exitCode());
    }

    @Test
    void run_nonZeroExit_failsWithTheCommandAndBothOutputs() {
        Processes.Failure failure = assertThrows(Processes.Failure.class,
                () -> Processes.command("/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 3").run());
        assertTrue(failure.getMessage().contains("exited with 3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("to-out"), failure.getMessage());
        assertTrue(failure.getMessage().contains("to-err"), failure.getMessage());
    }

    @Test
    void exec_returnsANonZeroExitWithoutFailing() {
        assertEquals(3, Processes.command("/bin/sh", "-c", "exit 3").exec().exitCode());
    }

    @Test
    void run_pastItsTimeout_killsTheProcessAndFails() {
        Processes.Failure failure = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                Processes.Failure.class,
                () -> Processes.command("/bin/sh", "-c", "echo started; sleep 60").timeout(Duration.ofMillis(300)).run()));
        assertTrue(failure.getMessage().contains("killed after the timeout"), failure.getMessage());
        assertTrue(failure.getMessage().contains("started"), failure.getMessage());
    }

    @Test
    void start_talksLineByLine_andCloseKillsTheProcess() {
        RunningProcess cat = Processes.command("/bin/cat").start();
        try (cat) {
            cat.writeLine("ping");
            assertEquals("ping", cat.readLine(Duration.ofSeconds(5)));
        }
        assertFalse(cat.isAlive());
    }

    @Test
    void start_readLineFailsWhenNothingComes() {
        try (RunningProcess silent = Processes.command("/bin/sh", "-c", "sleep 60").start()) {
            assertThrows(Processes.Failure.class, () -> silent.readLine(Duration.ofMillis(200)));
        }
    }

    @Test
    void freePorts_tcpAndUdp_canBeBoundForBoth() throws Exception {
        int port = FreePorts.tcpAndUdp();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket tcp = new ServerSocket(port, 1, loopback);
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
            assertEquals(port, tcp.getLocalPort());
            assertEquals(port, udp.getLocalPort());
        }
    }
}
