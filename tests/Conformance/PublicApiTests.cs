using System.Reflection;
using System.Text;

namespace AsyncRef.Conformance;

/// <summary>
/// The public surface of the runtime is listed in one reviewed file, <c>src/AsyncRef/PublicAPI.txt</c> (the role of
/// Channels' reference assembly): any change to it must show up in that file in the same commit.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicSurface_IsExactlyTheReviewedList()
    {
        string path = Repository.PathOf("src", "AsyncRef", "PublicAPI.txt");
        string actual = Describe(typeof(Async).Assembly);
        if (Environment.GetEnvironmentVariable("ASYNCREF_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"{path} is missing (ASYNCREF_UPDATE_PUBLIC_API=1 writes it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (Type type in assembly.GetExportedTypes())
        {
            string kind = type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface"
                : typeof(Delegate).IsAssignableFrom(type) ? "delegate" : type.IsAbstract && type.IsSealed ? "static class"
                : type.IsSealed ? "sealed class" : "class";
            lines.Add($"{kind} {Name(type)}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            foreach (MemberInfo member in type.GetMembers(flags))
            {
                string? text = member switch
                {
                    MethodInfo { IsSpecialName: false } m when !IsObjectNoise(m) && (!typeof(Delegate).IsAssignableFrom(type) || m.Name == "Invoke") =>
                        $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
                    ConstructorInfo c when !typeof(Delegate).IsAssignableFrom(type) && (!type.IsValueType || c.GetParameters().Length > 0) => $".ctor({Parameters(c)})",
                    PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{Setter(p)}}}",
                    FieldInfo f when !type.IsEnum || f.IsStatic => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
                    _ => null,
                };
                if (text is not null)
                {
                    lines.Add($"{Name(type)}: {text}");
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        var result = new StringBuilder();
        foreach (string line in lines)
        {
            result.Append(line).Append('\n');
        }

        return result.ToString();
    }

    private static string Setter(PropertyInfo p) =>
        p.SetMethod is not { IsPublic: true } setter ? ""
        : setter.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? "init; " : "set; ";

    private static bool IsObjectNoise(MethodInfo m) =>
        m.Name is "Equals" or "GetHashCode" or "ToString" or "<Clone>$" or "Deconstruct" or "PrintMembers";

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p => (p.ParameterType.IsByRef ? (p.IsOut ? "out " : "ref ") : "") + Name(p.ParameterType)));

    private static string Name(Type t)
    {
        if (t.IsByRef)
        {
            return Name(t.GetElementType()!);
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        if (!t.IsGenericType)
        {
            return t.Namespace == "AsyncRef" || t.Namespace == "AsyncRef.Model" ? t.Name : t.FullName ?? t.Name;
        }

        string name = t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)];
        string prefix = t.Namespace == "AsyncRef" ? "" : t.Namespace + ".";
        return $"{prefix}{name}<{string.Join(", ", t.GetGenericArguments().Select(Name))}>";
    }
}
