package com.mimecastsentinel.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;

import com.mimecastsentinel.transform.EventIds;

/**
 * A stream as it passes: how many bytes, their SHA-256, and the first of them up to a bound. What a dead letter
 * keeps of an answer or a file that could not be read: a bounded prefix and the digest of the whole, never the
 * whole in memory.
 */
final class StreamCapture extends FilterInputStream {
    private final MessageDigest sha256 = EventIds.newDigest();
    private final int keep;
    private byte[] prefix = new byte[0];
    private int kept;
    private long size;

    StreamCapture(InputStream in, int keep) {
        super(in);
        this.keep = keep;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            seen(new byte[] { (byte) b }, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int read = super.read(buffer, offset, length);
        if (read > 0) {
            seen(buffer, offset, read);
        }
        return read;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 8192)];
        int read = read(scratch, 0, scratch.length);
        return Math.max(read, 0);
    }

    /** Counts bytes that did not come through {@link #read} (a line read into another buffer). */
    void take(byte[] buffer, int offset, int length) {
        seen(buffer, offset, length);
    }

    private void seen(byte[] buffer, int offset, int length) {
        sha256.update(buffer, offset, length);
        size += length;
        int take = Math.min(length, keep - kept);
        if (take > 0) {
            if (kept + take > prefix.length) {
                prefix = Arrays.copyOf(prefix, Math.min(keep, Math.max(kept + take, prefix.length * 2)));
            }
            System.arraycopy(buffer, offset, prefix, kept, take);
            kept += take;
        }
    }

    /**
     * Reads what is left (at most {@code limit} bytes more), so that the size and digest are those of the whole;
     * false when the limit stopped it first.
     */
    boolean drain(long limit) throws IOException {
        byte[] scratch = new byte[1 << 16];
        long left = limit;
        while (left > 0) {
            int read = read(scratch, 0, (int) Math.min(scratch.length, left));
            if (read < 0) {
                return true;
            }
            left -= read;
        }
        return in.read() < 0;
    }

    /** The first bytes read, at most the bound. */
    byte[] prefix() {
        return kept == prefix.length ? prefix : Arrays.copyOf(prefix, kept);
    }

    /** Bytes read so far. */
    long size() {
        return size;
    }

    /** Whether more was read than the prefix holds. */
    boolean overflowed() {
        return size > kept;
    }

    /** The SHA-256 (hex) of everything read so far. */
    String sha256() {
        try {
            return java.util.HexFormat.of().formatHex(((MessageDigest) sha256.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
