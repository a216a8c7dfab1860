package com.mimecastsentinel.logging;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;

/**
 * Stands in front of every appender of the logging configuration and masks secrets ({@link Secrets}) in each
 * event's message and stack trace before it is written, whatever logger wrote it (Camel, the Azure SDK, the HTTP
 * clients, Quartz, Vert.x, ours) and at whatever level. Installed by code rather than named in log4j2.properties,
 * so that a logging configuration of the user's own (a JSON layout for a log shipper, say) is masked too.
 */
public final class MaskingAppender extends AbstractAppender {
    private final Appender delegate;

    private MaskingAppender(Appender delegate) {
        super(delegate.getName() + "-masked", null, null, true, Property.EMPTY_ARRAY);
        this.delegate = delegate;
    }

    /**
     * Puts a masking appender in front of every appender of the current log4j configuration (again after a
     * reconfiguration). Does nothing where log4j-core is not the logging back-end.
     */
    public static void install() {
        try {
            if (!(org.apache.logging.log4j.LogManager.getContext(false) instanceof LoggerContext context)) {
                return;
            }
            wrap(context);
            context.addPropertyChangeListener(event -> {
                if (LoggerContext.PROPERTY_CONFIG.equals(event.getPropertyName())) {
                    wrap(context);
                }
            });
        } catch (LinkageError notLog4j) {
            // another logging back-end (e.g. a host that brings its own): it is configured by its owner
        }
    }

    private static synchronized void wrap(LoggerContext context) {
        Configuration configuration = context.getConfiguration();
        boolean changed = false;
        for (LoggerConfig logger : configuration.getLoggers().values()) {
            changed |= wrap(configuration, logger);
        }
        changed |= wrap(configuration, configuration.getRootLogger());
        if (changed) {
            context.updateLoggers();
        }
    }

    private static boolean wrap(Configuration configuration, LoggerConfig logger) {
        boolean changed = false;
        for (var entry : logger.getAppenders().entrySet()) {
            Appender appender = entry.getValue();
            if (appender instanceof MaskingAppender) {
                continue;
            }
            AppenderRef ref = logger.getAppenderRefs().stream().filter(r -> r.getRef().equals(entry.getKey()))
                    .findFirst().orElse(null);
            MaskingAppender masking = new MaskingAppender(appender);
            masking.start();
            configuration.addAppender(masking);
            logger.removeAppender(entry.getKey());
            logger.addAppender(masking, ref == null ? null : ref.getLevel(), ref == null ? null : ref.getFilter());
            changed = true;
        }
        return changed;
    }

    @Override
    public void append(LogEvent event) {
        delegate.append(masked(event));
    }

    /** The event as it may be written: the same event when it holds no secret. */
    static LogEvent masked(LogEvent event) {
        String message = event.getMessage() == null ? null : event.getMessage().getFormattedMessage();
        String maskedMessage = Secrets.mask(message);
        Throwable thrown = event.getThrown();
        String maskedTrace = null;
        if (thrown != null) {
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            String text = trace.toString().stripTrailing();
            String masked = Secrets.mask(text);
            if (!masked.equals(text)) {
                maskedTrace = masked; // the trace goes into the message as text, masked; the throwable is dropped
            }
        }
        if (maskedTrace == null && (message == null || maskedMessage.equals(message))) {
            return event;
        }
        Log4jLogEvent.Builder copy = new Log4jLogEvent.Builder(event);
        if (maskedTrace != null) {
            copy.setMessage(new SimpleMessage(maskedMessage + System.lineSeparator() + maskedTrace)).setThrown(null)
                    .setThrownProxy(null);
        } else {
            copy.setMessage(new SimpleMessage(maskedMessage));
        }
        return copy.build();
    }

    @Override
    public boolean stop(long timeout, java.util.concurrent.TimeUnit timeUnit) {
        setStopping();
        setStopped();
        return true; // the appender behind it is stopped by the configuration that owns it
    }
}
