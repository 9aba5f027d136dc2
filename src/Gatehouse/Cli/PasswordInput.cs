using System.Text;

namespace Gatehouse.Cli;

internal static class PasswordInput
{
    /// <summary>The first line of standard input, or a prompt without echo (asked twice when <paramref name="confirm"/>).</summary>
    public static string? Read(bool fromStdin, out string error, bool confirm = true)
    {
        error = string.Empty;
        string? password;
        if (fromStdin)
        {
            password = Console.In.ReadLine();
        }
        else if (Console.IsInputRedirected)
        {
            error = "Standard input is not a terminal: pass --password-stdin to read the password from it.";
            return null;
        }
        else
        {
            password = Prompt("Password: ");
            if (confirm && password != Prompt("Repeat password: "))
            {
                error = "The passwords do not match.";
                return null;
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            error = "The password is empty.";
            return null;
        }

        return password;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var builder = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return builder.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (builder.Length > 0)
                {
                    builder.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                builder.Append(key.KeyChar);
            }
        }
    }
}
