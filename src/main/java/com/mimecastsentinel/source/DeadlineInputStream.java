package com.mimecastsentinel.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * An answer's body that must arrive within a time: the time spent waiting in {@code read} adds up, and once it is
 * over the deadline the next read fails. The HTTP client's socket timeout only bounds one wait, so an answer trickling
 * a byte at a time would otherwise hold a run forever. Time spent between reads (a file's rows being sent) does not
 * count.
 */
final class DeadlineInputStream extends FilterInputStream {
    private final long deadlineNanos;
    private final String what;
    private long waited;

    DeadlineInputStream(InputStream in, Duration deadline, String what) {
        super(in);
        this.deadlineNanos = deadline.toNanos();
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        long start = System.nanoTime();
        try {
            return super.read();
        } finally {
            count(start);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        long start = System.nanoTime();
        try {
            return super.read(buffer, offset, length);
        } finally {
            count(start);
        }
    }

    private void count(long start) throws IOException {
        waited += System.nanoTime() - start;
        if (waited > deadlineNanos) {
            throw new SocketTimeoutException("no complete answer from " + what + " within "
                    + Duration.ofNanos(deadlineNanos).toSeconds() + " s");
        }
    }
}
