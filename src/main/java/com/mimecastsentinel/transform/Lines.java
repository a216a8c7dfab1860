package com.mimecastsentinel.transform;

/**
 * A chunk of the lines of an NDJSON file (a SIEM batch file): the body a batch source hands its log type's route,
 * before the mapping step makes rows of it. The lines are slices of one buffer; line numbers count from 1 in the
 * file, blank lines included.
 */
public final class Lines {
    private final String file;
    private final byte[] buffer;
    private final int[] starts;
    private final int[] lengths;
    private final int count;
    private final long firstLine;
    private final int bytes;

    public Lines(String file, byte[] buffer, int[] starts, int[] lengths, int count, long firstLine) {
        this.file = file;
        this.buffer = buffer;
        this.starts = starts;
        this.lengths = lengths;
        this.count = count;
        this.firstLine = firstLine;
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += lengths[i];
        }
        this.bytes = total;
    }

    /** Where the lines come from (the file's path, without the URL's signature). */
    public String getFile() {
        return file;
    }

    public int size() {
        return count;
    }

    public byte[] buffer() {
        return buffer;
    }

    public int start(int index) {
        return starts[index];
    }

    public int length(int index) {
        return lengths[index];
    }

    /** The number of line {@code index} of this chunk in its file. */
    public long lineNumber(int index) {
        return firstLine + index;
    }

    public long getFirstLine() {
        return firstLine;
    }

    /** The number of this chunk's last line in its file: once it is delivered, a restart resumes after it. */
    public long getLastLine() {
        return firstLine + count - 1;
    }

    /** The bytes of the lines, without their line ends. */
    public int bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "lines " + firstLine + ".." + getLastLine() + " of " + file;
    }
}
