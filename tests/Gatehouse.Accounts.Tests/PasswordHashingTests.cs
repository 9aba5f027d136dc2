namespace Gatehouse.Accounts.Tests;

public sealed class PasswordHashingTests
{
    private readonly PasswordHashing _hashing = new();

    [Fact]
    public void Password_hash_is_salted_pbkdf2_and_verifies()
    {
        var first = _hashing.Hash("correct horse");
        var second = _hashing.Hash("correct horse");
        Assert.NotEqual(first, second);
        Assert.Equal(PasswordCheck.Valid, _hashing.Verify(first, "correct horse"));
        Assert.Equal(PasswordCheck.Invalid, _hashing.Verify(first, "Correct horse"));
        Assert.DoesNotContain("correct", first, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("partner.acme-01@eu", true)]
    [InlineData("", false)]
    [InlineData("../etc", false)]
    [InlineData("-rf", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    public void Account_names_are_restricted_to_a_safe_alphabet(string name, bool valid) =>
        Assert.Equal(valid, AccountNames.IsValid(name, out _));
}
