package io.lango.kms.aws;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * An AWS KMS key identifier in one of the forms the KMS API accepts: a key id ({@code 1234abcd-...} or
 * {@code mrk-...}), an alias name ({@code alias/name}), a key ARN or an alias ARN.
 *
 * <p>An ARN names its own partition and region, and AWS KMS serves a key only in the region that contains it, so a
 * request for an ARN goes to that region. The other forms go to the configured region.
 *
 * @param value the identifier sent to AWS KMS, unchanged
 * @param form how {@code value} names the key
 * @param region the region named by an ARN, empty for the other forms
 */
record AwsKeyId(String value, Form form, Optional<Region> region) {

    /**
     * {@code arn:<partition>:kms:<region>:<account>:key/<key-id>} or {@code ...:alias/<alias-name>}. AWS
     * partitions include {@code aws}, {@code aws-cn}, {@code aws-us-gov}, {@code aws-eusc} and the isolated
     * {@code aws-iso*} ones.
     */
    private static final Pattern ARN = Pattern
        .compile("arn:(aws(?:-[a-z]+)*):kms:([a-z]+(?:-[a-z]+)+-\\d+):(\\d{12}):(key|alias)/(.+)");

    private static final String ALIAS_PREFIX = "alias/";

    AwsKeyId {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(form, "form");
        Objects.requireNonNull(region, "region");
    }

    /**
     * Parses {@code value}, or throws {@link IllegalArgumentException} with the reason when it starts like an ARN
     * or an alias but is malformed. Any other non-blank value is taken as a key id, which AWS KMS checks.
     */
    static AwsKeyId parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("key id is empty");
        }
        String trimmed = value.trim();
        if (trimmed.startsWith("arn:")) {
            return parseArn(trimmed);
        }
        if (trimmed.startsWith(ALIAS_PREFIX)) {
            requireAliasName(trimmed.substring(ALIAS_PREFIX.length()), trimmed);
            return new AwsKeyId(trimmed, Form.ALIAS_NAME, Optional.empty());
        }
        return new AwsKeyId(trimmed, Form.KEY_ID, Optional.empty());
    }

    /**
     * Returns true when {@code value} has the form of a KMS key id: a UUID, or {@code mrk-} and 32 hex digits for
     * a multi-Region key.
     */
    static boolean looksLikeKeyId(String value) {
        return value.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
                || value.matches("mrk-[0-9a-fA-F]{32}");
    }

    private static AwsKeyId parseArn(String arn) {
        Matcher matcher = ARN.matcher(arn);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(("'%s' is not a KMS key or alias ARN; expected "
                    + "arn:<partition>:kms:<region>:<12-digit account>:key/<key-id> or ...:alias/<alias-name>")
                .formatted(arn));
        }
        String partition = matcher.group(1);
        Region region = Region.of(matcher.group(2));
        requirePartitionOfRegion(arn, partition, region);
        boolean alias = "alias".equals(matcher.group(4));
        if (alias) {
            requireAliasName(matcher.group(5), arn);
        }
        return new AwsKeyId(arn, alias ? Form.ALIAS_ARN : Form.KEY_ARN, Optional.of(region));
    }

    /**
     * Rejects an ARN whose region belongs to another partition, such as {@code arn:aws-cn:kms:us-east-1:...},
     * which AWS KMS would reject after a network round trip. Only regions known to this SDK version are checked,
     * because the SDK reports partition {@code aws} for any region it does not know.
     */
    private static void requirePartitionOfRegion(String arn, String partition, Region region) {
        if (RegionMetadata.of(region) == null) {
            return;
        }
        PartitionMetadata metadata = PartitionMetadata.of(region);
        if (!metadata.id().equals(partition)) {
            throw new IllegalArgumentException("ARN '%s' names partition %s, but region %s is in partition %s"
                .formatted(arn, partition, region.id(), metadata.id()));
        }
    }

    /**
     * AWS KMS alias names contain only letters, digits, '/', '_' and '-'.
     */
    private static void requireAliasName(String name, String value) {
        if (!name.matches("[a-zA-Z0-9/_-]+")) {
            throw new IllegalArgumentException(
                    "'%s' is not a valid alias: an alias name after 'alias/' contains only letters, digits, '/', '_' and '-'"
                        .formatted(value));
        }
    }

    /**
     * Returns true for a bare value that is not a key id, an alias or an ARN, such as {@code orders}.
     */
    boolean isBareName() {
        return this.form == Form.KEY_ID && !looksLikeKeyId(this.value);
    }

    /**
     * Syntax of a key identifier.
     */
    enum Form {

        /** A key id: a UUID, or {@code mrk-...} for a multi-Region key. */
        KEY_ID,

        /** {@code alias/name}. */
        ALIAS_NAME,

        /** {@code arn:<partition>:kms:<region>:<account>:key/<key-id>}. */
        KEY_ARN,

        /** {@code arn:<partition>:kms:<region>:<account>:alias/<alias-name>}. */
        ALIAS_ARN
    }
}
