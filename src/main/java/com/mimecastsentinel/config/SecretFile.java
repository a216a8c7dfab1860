package com.mimecastsentinel.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.function.Supplier;

import com.mimecastsentinel.logging.Secrets;

/**
 * A secret in a file, read again when the file changed (Key Vault CSI and Kubernetes secrets rotate files in place):
 * the next use takes the new secret without a restart. Each value read is masked in the logs from then on.
 */
public final class SecretFile implements Supplier<String> {
    /** A secret is short: a file larger than this is not one. */
    private static final long MAX_BYTES = 16 * 1024;

    private final Path file;
    private final String setting;
    private FileTime read;
    private long size = -1;
    private String value;

    /** @param setting what names the file, for the error that a file cannot be read */
    public SecretFile(Path file, String setting) {
        this.file = file;
        this.setting = setting;
        get(); // a missing file stops start-up, naming the setting
    }

    @Override
    public synchronized String get() {
        try {
            // one look at the file a use (an API 1.0 call reads three): its time and size say whether it changed
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            FileTime modified = attributes.lastModifiedTime();
            long bytes = attributes.size();
            if (value == null || !modified.equals(read) || bytes != size) {
                byte[] text;
                try (java.io.InputStream in = Files.newInputStream(file)) {
                    text = in.readNBytes((int) MAX_BYTES + 1); // bounded even if it grew since it was looked at
                }
                if (bytes > MAX_BYTES || text.length > MAX_BYTES) {
                    throw new ConfigurationException(setting, "names a file of more than " + MAX_BYTES + " bytes: "
                            + "not a secret");
                }
                String content = new String(text, StandardCharsets.UTF_8).trim();
                if (content.isEmpty()) {
                    throw new ConfigurationException(setting, "names an empty file");
                }
                Secrets.register(content);
                value = content;
                read = modified;
                size = bytes;
            }
            return value;
        } catch (IOException e) {
            throw new ConfigurationException(setting, "names a file that cannot be read");
        }
    }
}
