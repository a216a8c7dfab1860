package com.mimecastsentinel.transform;

import java.util.List;

/**
 * A chunk of the lines of NDJSON files (the SIEM batch files of a listing page, one after the other): the body a batch
 * source hands its log type's route, before the mapping step makes rows of it. The lines are slices of a few buffers
 * (none big enough to be a humongous object of the garbage collector); each line has its file and its number in it
 * (from 1, blank lines included). A chunk also says which files ended within it: once it is delivered, they are done.
 */
public final class Lines {
    private final String[] files;
    private final int[] fileOf;
    private final long[] numbers;
    private final byte[][] buffers;
    private final int[] bufferOf;
    private final int[] starts;
    private final int[] lengths;
    private final int count;
    private final List<String> filesEnded;
    private final int bytes;

    /**
     * @param files      the files the lines come from (their paths, without the URLs' signatures)
     * @param fileOf     line {@code i} is of {@code files[fileOf[i]]}
     * @param numbers    its number in that file
     * @param bufferOf   and it is in {@code buffers[bufferOf[i]]}, from {@code starts[i]}, {@code lengths[i]} long
     * @param filesEnded files read to their end with this chunk
     */
    public Lines(String[] files, int[] fileOf, long[] numbers, byte[][] buffers, int[] bufferOf, int[] starts,
            int[] lengths, int count, List<String> filesEnded) {
        this.files = files;
        this.fileOf = fileOf;
        this.numbers = numbers;
        this.buffers = buffers;
        this.bufferOf = bufferOf;
        this.starts = starts;
        this.lengths = lengths;
        this.count = count;
        this.filesEnded = List.copyOf(filesEnded);
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += lengths[i];
        }
        this.bytes = total;
    }

    /** Lines of one file, in one buffer, numbered from {@code firstLine}. */
    public static Lines of(String file, byte[] buffer, int[] starts, int[] lengths, int count, long firstLine) {
        long[] numbers = new long[count];
        for (int i = 0; i < count; i++) {
            numbers[i] = firstLine + i;
        }
        return new Lines(new String[] { file }, new int[count], numbers, new byte[][] { buffer }, new int[count],
                starts, lengths, count, List.of());
    }

    public int size() {
        return count;
    }

    /** The buffer line {@code index} is in. */
    public byte[] buffer(int index) {
        return buffers[bufferOf[index]];
    }

    public int start(int index) {
        return starts[index];
    }

    public int length(int index) {
        return lengths[index];
    }

    /** The file of line {@code index}. */
    public String file(int index) {
        return files[fileOf[index]];
    }

    /** The number of line {@code index} in its file. */
    public long lineNumber(int index) {
        return numbers[index];
    }

    /** The file of the chunk's last line (null for a chunk without lines). */
    public String getLastFile() {
        return count == 0 ? null : file(count - 1);
    }

    /** The number of the chunk's last line in its file: once the chunk is delivered, a restart resumes after it. */
    public long getLastLine() {
        return count == 0 ? 0 : numbers[count - 1];
    }

    /** Files read to their end with this chunk: once it is delivered, they are done. */
    public List<String> getFilesEnded() {
        return filesEnded;
    }

    /** The bytes of the lines, without their line ends. */
    public int bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return count == 0 ? "no lines (" + filesEnded.size() + " files ended)"
                : count + " lines to line " + getLastLine() + " of " + getLastFile();
    }
}
