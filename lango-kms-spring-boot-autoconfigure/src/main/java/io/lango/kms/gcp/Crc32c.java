package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import com.google.protobuf.ByteString;

/**
 * CRC32C (Castagnoli) checksums, the algorithm of Cloud KMS's {@code *_crc32c} request and response fields.
 */
final class Crc32c {

    private Crc32c() {
    }

    static long of(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    static long of(ByteString data) {
        CRC32C crc = new CRC32C();
        crc.update(data.asReadOnlyByteBuffer());
        return crc.getValue();
    }

    static long of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }
}
