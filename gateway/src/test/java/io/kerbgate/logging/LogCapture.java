package io.kerbgate.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one logger writes, at every level, until closed. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final Level level;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Class<?> source) {
        this((Logger) LoggerFactory.getLogger(source), Level.DEBUG);
    }

    private LogCapture(Logger logger, Level captureLevel) {
        this.logger = logger;
        level = logger.getLevel();
        logger.setLevel(captureLevel);
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures the lines of {@link RefusalLog}. */
    public static LogCapture refusals() {
        return new LogCapture(RefusalLog.class);
    }

    /** Captures every logger, kerbgate's and its libraries' (Netty...), at every level down to TRACE. */
    public static LogCapture everything() {
        return new LogCapture((Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME), Level.TRACE);
    }

    /**
     * Everything an appender could write of each event: the formatted message, its key-value pairs, and every
     * message and stack frame of its throwable chain.
     */
    public List<String> everythingWritten() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            StringBuilder b = new StringBuilder(e.getLoggerName()).append(' ').append(e.getFormattedMessage());
            if (e.getKeyValuePairs() != null) {
                e.getKeyValuePairs().forEach(kv -> b.append(' ').append(kv.key).append('=').append(kv.value));
            }
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                b.append(' ').append(ThrowableProxyUtil.asString(t));
            }
            out.add(b.toString());
        }
        return out;
    }

    public List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** The formatted messages, in order. */
    public List<String> lines() {
        return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
    }
}
