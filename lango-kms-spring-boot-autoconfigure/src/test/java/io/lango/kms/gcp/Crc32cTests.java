package io.lango.kms.gcp;

import java.nio.charset.StandardCharsets;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Crc32cTests {

    @Test
    void checkValueOfStandardInput() {
        // 0xE3069283 is the catalogued check value of CRC-32C (CRC-32/ISCSI): the checksum of ASCII "123456789".
        assertThat(Crc32c.of("123456789")).isEqualTo(3808858755L);
    }

    @Test
    void byteArrayAndByteStringAgree() {
        byte[] data = "lango kms".getBytes(StandardCharsets.UTF_8);

        assertThat(Crc32c.of(ByteString.copyFrom(data))).isEqualTo(Crc32c.of(data));
    }

    @Test
    void emptyInputIsZero() {
        assertThat(Crc32c.of(new byte[0])).isZero();
    }
}
