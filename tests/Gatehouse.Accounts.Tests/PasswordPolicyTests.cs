namespace Gatehouse.Accounts.Tests;

public sealed class PasswordPolicyTests
{
    private readonly PasswordPolicy _policy = new(12);

    [Theory]
    [InlineData("short1!", "too short")]
    [InlineData("alice-is-great-2026", "user name")]
    [InlineData("Password1234", "commonly used")]
    [InlineData("aaaaaaaaaaaaaaa", "too simple")]
    [InlineData("123456789012345", "too simple")]
    [InlineData("abcdefghijklmnop", "too simple")]
    public void Weak_passwords_are_refused_with_the_reason(string password, string reason) =>
        Assert.Contains(reason, _policy.Check("alice", password), StringComparison.Ordinal);

    [Theory]
    [InlineData("correct-horse-battery-staple")]
    [InlineData("7Qf!x9Lp2#Rw")]
    public void Strong_passwords_pass(string password) => Assert.Null(_policy.Check("alice", password));
}
