package com.mimecastsentinel;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mimecastsentinel.checkpoint.Checkpoint;
import com.mimecastsentinel.checkpoint.CheckpointConflictException;
import com.mimecastsentinel.checkpoint.CheckpointStore;
import com.mimecastsentinel.checkpoint.CheckpointRepository;
import com.mimecastsentinel.config.ConfigurationException;
import com.mimecastsentinel.config.Settings;
import com.mimecastsentinel.sentinel.AzureClients;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * {@code java -jar mimecast-sentinel.jar checkpoint show|reset …}: reads or moves one log type's checkpoint in
 * the store the settings name (the same environment as the connector; with BACKFILL_FROM/TO set, the backfill's).
 * A reset is a conditional write: a connector committing at the same moment fails its run instead of losing it.
 */
public final class CheckpointCommand {
    static final String USAGE = """
            usage: checkpoint show <logType>
                   checkpoint reset <logType> <yyyy-MM-dd>   next run reads from that day (UTC) minus MIMECAST_OVERLAP
                                                             (or an instant: yyyy-MM-ddTHH:mm:ssZ)""";

    private final CheckpointStore store;
    private final Settings settings;
    private final ObjectMapper json = ConnectorConfiguration.jsonMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Clock clock;
    private final PrintStream out;

    CheckpointCommand(CheckpointStore store, Settings settings, Clock clock, PrintStream out) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.out = out;
    }

    /** @return the exit status: 0 done, 1 failed, 2 wrong usage or settings */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            DefaultCamelContext context = new DefaultCamelContext();
            Settings settings = Application.commandSettings(context);
            if (args.size() < 3 || !List.of("show", "reset").contains(args.get(1))
                    || args.get(1).equals("reset") != (args.size() == 4) || !knownLogType(args.get(2))) {
                err.println(args.size() >= 3 && !knownLogType(args.get(2))
                        ? "unknown log type '" + args.get(2) + "' (no routes/" + args.get(2) + ".yaml)" : USAGE);
                return 2;
            }
            context.start(); // for the blob component, when the store is Blob
            CheckpointStore store = ConnectorConfiguration.storage(context, settings, new AzureClients(settings))
                    .checkpoints();
            CheckpointCommand command = new CheckpointCommand(store, settings, Clock.systemUTC(), out);
            return args.get(1).equals("show") ? command.show(args.get(2)) : command.reset(args.get(2), args.get(3));
        } catch (ConfigurationException e) {
            err.println(e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("checkpoint " + (args.size() > 1 ? args.get(1) : "") + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static boolean knownLogType(String logType) {
        return logType.matches("[a-z0-9-]+") && !logType.equals("templates")
                && (Files.isRegularFile(Path.of("routes", logType + ".yaml"))
                        || CheckpointCommand.class.getResource("/routes/" + logType + ".yaml") != null);
    }

    private String name(String logType) {
        return settings.checkpointNamespace() + CheckpointRepository.documentName(logType);
    }

    int show(String logType) {
        var stored = store.read(name(logType));
        if (stored.isEmpty()) {
            out.println("no checkpoint " + name(logType) + " in " + store.describe() + ": the next run of " + logType
                    + " starts at " + (settings.startDate != null ? "START_DATE " + settings.startDate
                    : "the oldest data Mimecast keeps"));
            return 0;
        }
        Checkpoint checkpoint = parse(logType, stored.get().content());
        out.println("# " + name(logType) + " in " + store.describe());
        out.println("# " + summary(checkpoint));
        out.println(new String(stored.get().content(), java.nio.charset.StandardCharsets.UTF_8).strip());
        return 0;
    }

    int reset(String logType, String date) {
        Instant at;
        try {
            at = Settings.dayOrInstant(date);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException("reset date", Settings.DAY_OR_INSTANT);
        }
        if (at.isAfter(clock.instant())) {
            throw new ConfigurationException("reset date", "is in the future");
        }
        var stored = store.read(name(logType));
        Checkpoint checkpoint = stored.map(s -> parse(logType, s.content())).orElseGet(() -> Checkpoint.initial(logType));
        // every position field to the date; delivered ids stay, so events of the overlap are still not re-sent
        boolean listing = checkpoint.nextPage != null || checkpoint.filesDone != null || checkpoint.fileInProgress != null
                || logType.equals("siem") || logType.equals("cloud-integrated");
        checkpoint.completedUntil = at;
        // SIEM batch listings start at startedFrom; elsewhere it records where the live connector began, which a
        // backfill must not cross: moving it later would let a backfill send delivered days again
        checkpoint.startedFrom = listing || checkpoint.startedFrom == null || at.isBefore(checkpoint.startedFrom)
                ? at : checkpoint.startedFrom;
        checkpoint.window = null;
        checkpoint.nextPage = null;
        checkpoint.filesDone = null;
        checkpoint.fileInProgress = null;
        checkpoint.snapshot = null; // Awareness Training: the next run starts a new snapshot, every user sent again
        if (checkpoint.feeds != null) {
            checkpoint.feeds.values().forEach(feed -> {
                feed.completedUntil = at;
                feed.window = null;
            });
        }
        checkpoint.updatedAt = clock.instant();
        try {
            store.write(name(logType), json.writeValueAsBytes(checkpoint), stored.map(CheckpointStore.Stored::etag)
                    .orElse(null));
        } catch (CheckpointConflictException e) {
            throw new IllegalStateException("the checkpoint changed while it was being reset (a connector is "
                    + "running this log type): try again, or stop the connector first", e);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        out.println("reset " + name(logType) + " in " + store.describe() + ": " + summary(checkpoint)
                + (logType.equals("siem-legacy") ? " (siem-legacy moves by token, not date: it starts again from the "
                + "oldest file Mimecast keeps)" : ""));
        return 0;
    }

    private String summary(Checkpoint checkpoint) {
        if (checkpoint.snapshot != null) {
            return checkpoint.describe() + "; the next run reads every user and sends the new and changed ones, "
                    + "all of them once the snapshot is AWARENESS_SNAPSHOT_INTERVAL ("
                    + settings.awarenessSnapshotInterval + ") old; " + checkpoint.deliveredTotal
                    + " rows delivered in all";
        }
        String position = checkpoint.feeds != null ? "feeds " + checkpoint.feeds.keySet()
                : checkpoint.nextPage != null || checkpoint.filesDone != null ? "listing in progress from "
                        + checkpoint.startedFrom
                : "completed until " + checkpoint.completedUntil;
        return position + (checkpoint.window != null ? ", window " + checkpoint.window.start + ".."
                + checkpoint.window.end + " in progress" : "") + "; next run reads from "
                + (checkpoint.completedUntil == null ? checkpoint.startedFrom
                        : checkpoint.completedUntil.minus(settings.overlap))
                + "; " + checkpoint.deliveredTotal + " events delivered in all, " + checkpoint.recentEventIds.size()
                + " recent ids kept for dedupe";
    }

    private Checkpoint parse(String logType, byte[] content) {
        try {
            return json.readValue(content, Checkpoint.class);
        } catch (IOException e) {
            throw new IllegalStateException(name(logType) + " is not a valid checkpoint: " + e.getMessage(), e);
        }
    }
}
