package com.mimecastsentinel.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

import org.apache.hc.core5.http.io.EofSensorInputStream;

/**
 * An answer's body that must arrive within a time: the time spent waiting in {@code read} adds up, and once it is
 * over the deadline the next read fails. The HTTP client's socket timeout only bounds one wait, so an answer trickling
 * a byte at a time would otherwise hold a run forever. Time spent between reads (a file's rows being sent) does not
 * count.
 *
 * <p>Closed before its end (past the deadline, too big, damaged, the run stopping), the answer is hung up on: the
 * HTTP client's own close would read the rest of the body first, however long it is and however slowly it comes.
 */
final class DeadlineInputStream extends FilterInputStream {
    private final long deadlineNanos;
    private final String what;
    private long waited;
    private boolean ended;

    DeadlineInputStream(InputStream in, Duration deadline, String what) {
        super(in);
        this.deadlineNanos = deadline.toNanos();
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        long start = System.nanoTime();
        try {
            int b = super.read();
            ended |= b < 0;
            return b;
        } finally {
            count(start);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        long start = System.nanoTime();
        try {
            int read = super.read(buffer, offset, length);
            ended |= read < 0;
            return read;
        } finally {
            count(start);
        }
    }

    private void count(long start) throws IOException {
        waited += System.nanoTime() - start;
        if (waited > deadlineNanos && !ended) {
            throw new SocketTimeoutException("no complete answer from " + what + " within "
                    + Duration.ofNanos(deadlineNanos).toSeconds() + " s");
        }
    }

    @Override
    public void close() throws IOException {
        if (ended || !(in instanceof EofSensorInputStream connection)) {
            super.close();
            return;
        }
        connection.abort(); // the connection is dropped, not read to its end
    }
}
