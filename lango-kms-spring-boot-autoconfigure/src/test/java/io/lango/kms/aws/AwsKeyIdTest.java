package io.lango.kms.aws;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import software.amazon.awssdk.regions.Region;

import io.lango.kms.aws.AwsKeyId.Form;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AwsKeyIdTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab, KEY_ARN, us-east-1",
            "arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab, KEY_ARN, cn-north-1",
            "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab, KEY_ARN, us-gov-west-1",
            "arn:aws:kms:eu-west-1:111122223333:alias/app, ALIAS_ARN, eu-west-1",
            "arn:aws-cn:kms:cn-northwest-1:111122223333:alias/team/app, ALIAS_ARN, cn-northwest-1",
            "arn:aws-us-gov:kms:us-gov-east-1:111122223333:alias/app_1-x, ALIAS_ARN, us-gov-east-1" })
    void arnNamesItsRegion(String value, Form form, String region) {
        AwsKeyId keyId = AwsKeyId.parse(value);

        assertThat(keyId.form()).isEqualTo(form);
        assertThat(keyId.region()).contains(Region.of(region));
        assertThat(keyId.value()).isEqualTo(value);
    }

    @Test
    void aliasHasNoRegion() {
        AwsKeyId keyId = AwsKeyId.parse("alias/app");

        assertThat(keyId.form()).isEqualTo(Form.ALIAS_NAME);
        assertThat(keyId.region()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "1234abcd-12ab-34cd-56ef-1234567890ab", "mrk-1234abcd12ab34cd56ef1234567890ab" })
    void keyIdIsNotBareName(String value) {
        AwsKeyId keyId = AwsKeyId.parse(value);

        assertThat(keyId.form()).isEqualTo(Form.KEY_ID);
        assertThat(keyId.isBareName()).isFalse();
    }

    @Test
    void otherValueIsBareName() {
        AwsKeyId keyId = AwsKeyId.parse("orders");

        assertThat(keyId.form()).isEqualTo(Form.KEY_ID);
        assertThat(keyId.isBareName()).isTrue();
        assertThat(keyId.region()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = { "arn:aws:kms:us-east-1:123:key/abc", "arn:aws:s3:::bucket",
            "arn:aws:kms:us-east-1:111122223333:grant/abc", "arn:azure:kms:us-east-1:111122223333:key/abc",
            "arn:aws:kms:us-east-1:111122223333:key/" })
    void malformedArnIsRejected(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> AwsKeyId.parse(value))
            .withMessageContaining("is not a KMS key or alias ARN");
    }

    @Test
    void arnWithRegionOfOtherPartitionIsRejected() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> AwsKeyId.parse("arn:aws-cn:kms:us-east-1:111122223333:alias/app"))
            .withMessageContaining("region us-east-1 is in partition aws");
    }

    @ParameterizedTest
    @ValueSource(strings = { "alias/", "alias/has space", "arn:aws:kms:us-east-1:111122223333:alias/bad*name" })
    void invalidAliasIsRejected(String value) {
        assertThatIllegalArgumentException().isThrownBy(() -> AwsKeyId.parse(value))
            .withMessageContaining("is not a valid alias");
    }
}
