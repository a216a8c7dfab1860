package com.mimecastsentinel.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;

import com.mimecastsentinel.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;

/** When an Awareness Training run starts a new snapshot: never later than the interval allows. */
class AwarenessSnapshotTest {
    private static final Duration DAY = Duration.ofDays(1);

    private static Checkpoint.Snapshot snapshot(String startedAt, String completedAt) {
        Checkpoint.Snapshot snapshot = new Checkpoint.Snapshot();
        snapshot.startedAt = Instant.parse(startedAt);
        snapshot.completedAt = completedAt == null ? null : Instant.parse(completedAt);
        return snapshot;
    }

    @Test
    void aRunThatFiresAMomentEarlyStillStartsTheSnapshotWhenTheNextRunWouldBeLate() {
        // the first snapshot began 300 ms after its trigger; a day later the trigger fires 200 ms before that
        Checkpoint.Snapshot snapshot = snapshot("2026-12-01T00:05:00.300Z", "2026-12-01T00:06:00Z");
        assertTrue(AwarenessSource.snapshotDue(snapshot, Instant.parse("2026-12-02T00:05:00.100Z"), DAY,
                Instant.parse("2026-12-02T01:05:00Z")), "waiting for 01:05 would make it a 25-hour snapshot");
    }

    @Test
    void theNextSnapshotStartsEarlyByTheTimeReadingTheLastOneTook() {
        // reading every user took 30 minutes: starting at 00:05 would finish the next snapshot at 00:35, too late
        Checkpoint.Snapshot snapshot = snapshot("2026-12-01T00:05:00Z", "2026-12-01T00:35:00Z");
        assertTrue(AwarenessSource.snapshotDue(snapshot, Instant.parse("2026-12-01T23:05:00Z"), DAY,
                Instant.parse("2026-12-02T00:05:00Z")));
        assertFalse(AwarenessSource.snapshotDue(snapshot, Instant.parse("2026-12-01T22:05:00Z"), DAY,
                Instant.parse("2026-12-01T23:05:00Z")), "23:05 still finishes it in time");
    }

    @Test
    void withinTheIntervalTheSnapshotGoesOn() {
        Checkpoint.Snapshot snapshot = snapshot("2026-12-01T00:05:00Z", null);
        assertFalse(AwarenessSource.snapshotDue(snapshot, Instant.parse("2026-12-01T02:05:00Z"), DAY,
                Instant.parse("2026-12-01T03:05:00Z")));
        assertFalse(AwarenessSource.snapshotDue(snapshot, Instant.parse("2026-12-01T23:59:59Z"), DAY, null),
                "no schedule known: the interval alone");
        assertTrue(AwarenessSource.snapshotDue(snapshot, Instant.parse("2026-12-02T00:05:00Z"), DAY, null));
    }
}
