package io.kerbgate.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.kerbgate.config.GatewayConfig.Logging;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Switches the process's log lines between plain text ({@code logback.xml}'s pattern) and JSON, as
 * {@code logging.format} says. Only the encoders of the root logger's stream appenders change; levels and targets
 * stay as {@code logback.xml} (or {@code -Dlogback.configurationFile}) set them.
 *
 * <p>JSON comes from Logback's own {@link JsonEncoder} (logback-classic 1.3.8 and later) rather than
 * logstash-logback-encoder: it needs no extra jar (the build resolves a fixed set of artifacts, offline), and it
 * writes the key-value pairs of SLF4J 2's fluent API as {@code kvpList}, which is all the refusal line needs. One
 * object per line: {@code {"timestamp":...,"level":"INFO","loggerName":"...","kvpList":[{"reason":"skew"},...],
 * "formattedMessage":"auth refused: skew"}}. A deployment that wants logstash's field layout can still point
 * {@code -Dlogback.configurationFile} at its own configuration and keep {@code format: plain}.
 */
public final class LogFormat {

    /** The encoders replaced by JSON, to put back when the format returns to plain (tests, a reconfigured node). */
    private static final Map<OutputStreamAppender<ILoggingEvent>, Encoder<ILoggingEvent>> REPLACED =
            new IdentityHashMap<>();

    private LogFormat() {}

    /** Applies {@code format} to the root logger's appenders; does nothing when Logback is not the SLF4J binding. */
    public static synchronized void apply(Logging.Format format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (!(it.next() instanceof OutputStreamAppender<ILoggingEvent> appender)) {
                continue;
            }
            if (format == Logging.Format.JSON && !(appender.getEncoder() instanceof JsonEncoder)) {
                REPLACED.put(appender, appender.getEncoder());
                // Swapped while the appender runs: an event being written finishes with the encoder it started with.
                appender.setEncoder(jsonEncoder(context));
            } else if (format == Logging.Format.PLAIN && REPLACED.containsKey(appender)) {
                appender.setEncoder(REPLACED.remove(appender));
            }
        }
    }

    private static JsonEncoder jsonEncoder(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithContext(false);
        encoder.setWithMDC(false);
        encoder.setWithArguments(false);
        // The formatted message is the line as plain text shows it; the raw one would keep its {} placeholders.
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
