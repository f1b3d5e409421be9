#!/usr/bin/env escript
%% -*- erlang -*-
%%! -start_epmd false
%%
%% Generates the External Term Format test vectors in proto-spec/vectors/etf/
%% by driving the real Erlang runtime.
%%
%%   escript proto-spec/scripts/etf-vectors.escript proto-spec/vectors/etf
%%
%% Every canonical case is `term_to_binary(T, [{minor_version, 2}])` (the
%% OTP 26+ default) and is checked to survive binary_to_term/term_to_binary
%% byte for byte. Decode-only cases (legacy.json) are checked to be accepted
%% by binary_to_term/1 and carry their re-encoding. Invalid cases are checked
%% to make binary_to_term/1 raise badarg. Any surprise aborts the run, so the
%% files only ever state what this erl actually does.
%%
%% The typed JSON of a term is computed from the decoded term; pid, ref, port
%% and fun fields are parsed out of their encoded bytes, since no BIF returns
%% them. Map entries are listed in the order the encoded bytes list them.
%%
%% Distribution: pids/refs/ports "from a real node" come from this VM after
%% net_kernel:start/2 with dist_listen => false. That node has a name and a
%% random creation but opens no listening socket and never talks to epmd, so
%% nothing is bound on any interface. It is stopped before the script ends.
%% Everything taken from the non-distributed VM (nonode@nohost) is generated
%% first, because a local pid is encoded with whatever node() is at encode time.
-mode(compile).

-define(GEN, <<"proto-spec/scripts/etf-vectors.escript">>).
-define(NODE, 'vec@127.0.0.1').
-define(MIN_TOTAL, 300).

main([Dir]) ->
    T0 = erlang:monotonic_time(millisecond),
    ok = load_fun_module(),
    %% Phase 1: non-distributed VM.
    IdsLocal = ids_local(),
    Funs = funs(),
    %% Phase 2: distributed VM.
    Started = start_dist(),
    IdsDist = ids_dist(),
    Crafted = ids_crafted(),
    FunsDist = funs_dist(),
    stop_dist(Started),
    Files = [{"integers.json", integers()},
             {"floats.json", floats()},
             {"atoms.json", atoms()},
             {"binaries.json", binaries()},
             {"lists.json", lists_cases()},
             {"tuples.json", tuples()},
             {"maps.json", maps_cases()},
             {"ids.json", IdsLocal ++ IdsDist ++ Crafted},
             {"funs.json", Funs ++ FunsDist},
             {"legacy.json", legacy()},
             {"invalid.json", invalid()},
             {"large.json", large()}],
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    AllNames = [maps:get(name, C) || {_, Cs} <- Files, C <- Cs],
    check_unique(AllNames),
    Total = lists:foldl(
              fun({File, Cases}, Acc) ->
                      Path = filename:join(Dir, File),
                      ok = file:write_file(Path, file_json(Cases)),
                      io:format("~-16s ~4b cases~n", [File, length(Cases)]),
                      Acc + length(Cases)
              end, 0, Files),
    Total >= ?MIN_TOTAL orelse fail("only ~b cases, need ~b", [Total, ?MIN_TOTAL]),
    io:format("total            ~4b cases (~s, OTP ~s, erts ~s) in ~b ms~n",
              [Total, Dir, erlang:system_info(otp_release),
               erlang:system_info(version),
               erlang:monotonic_time(millisecond) - T0]);
main(_) ->
    io:format(standard_error,
              "usage: escript etf-vectors.escript <output dir>~n", []),
    halt(2).

%%% ------------------------------------------------------------------
%%% Case builders
%%% ------------------------------------------------------------------

mv2(T) -> term_to_binary(T, [{minor_version, 2}]).

%% A canonical case from a term.
canon(Name, T) -> canon(Name, T, show(T)).
canon(Name, T, Erl) ->
    B = mv2(T),
    canon_check(Name, T, B),
    #{name => bin(Name), erl => bin(Erl), hex => hex(B),
      term => typed(binary_to_term(B)), canonical => true}.

%% A canonical case from hand-made bytes: erl must re-encode them unchanged.
canon_bytes(Name, Bytes, Erl) ->
    T = decode_ok(Name, Bytes),
    mv2(T) =:= Bytes orelse
        fail("~s: crafted bytes are not what term_to_binary emits:~n ~w~n ~w",
             [Name, Bytes, mv2(T)]),
    #{name => bin(Name), erl => bin(Erl), hex => hex(Bytes),
      term => typed(T), canonical => true}.

canon_check(Name, T, B) ->
    T2 = decode_ok(Name, B),
    T2 =:= T orelse fail("~s: decode(encode(T)) =/= T", [Name]),
    mv2(T2) =:= B orelse fail("~s: encode(decode(B)) =/= B", [Name]).

%% A decode-only case: accepted by binary_to_term/1, re-encoded differently.
legacy(Name, Bytes, Erl) ->
    T = decode_ok(Name, Bytes),
    R = mv2(T),
    R =/= Bytes orelse fail("~s: bytes are canonical, not legacy", [Name]),
    binary_to_term(R) =:= T orelse fail("~s: re-encoding changed the term", [Name]),
    #{name => bin(Name), erl => bin(Erl), hex => hex(Bytes),
      term => typed(T), canonical => false, reencoded => hex(R)}.

%% An invalid case: binary_to_term/1 must raise error:badarg.
invalid(Name, Bytes) ->
    try binary_to_term(Bytes) of
        V -> fail("~s: expected badarg, erl decoded ~P", [Name, V, 10])
    catch
        error:badarg -> #{name => bin(Name), hex => hex(Bytes), error => true};
        C:E -> fail("~s: expected badarg, got ~p:~p", [Name, C, E])
    end.

decode_ok(Name, Bytes) ->
    try binary_to_term(Bytes)
    catch C:E -> fail("~s: binary_to_term raised ~p:~p", [Name, C, E])
    end.

show(T) ->
    S = unicode:characters_to_binary(io_lib:format("~0tP", [T, 24])),
    case string:length(S) > 160 of
        true -> unicode:characters_to_binary([string:slice(S, 0, 157), "..."]);
        false -> S
    end.

fail(Fmt, Args) ->
    io:format(standard_error, "etf-vectors: " ++ Fmt ++ "~n", Args),
    halt(1).

check_unique(Names) ->
    Dups = Names -- lists:usort(Names),
    Dups =:= [] orelse fail("duplicate case names: ~p", [lists:usort(Dups)]).

%%% ------------------------------------------------------------------
%%% Integers
%%% ------------------------------------------------------------------

p2(N) -> 1 bsl N.

integers() ->
    Fixed =
        [{"0", 0}, {"1", 1}, {"2", 2}, {"42", 42}, {"127", 127}, {"128", 128},
         {"254", 254}, {"255", 255}, {"256", 256}, {"257", 257},
         {"-1", -1}, {"-2", -2}, {"-127", -127}, {"-128", -128},
         {"-255", -255}, {"-256", -256}, {"1000", 1000}, {"-1000", -1000},
         {"65535", 65535}, {"65536", 65536}, {"-65536", -65536},
         {"2^24", p2(24)}, {"2^31-1", p2(31) - 1}, {"2^31", p2(31)},
         {"-2^31", -p2(31)}, {"-2^31-1", -p2(31) - 1},
         {"2^32-1", p2(32) - 1}, {"2^32", p2(32)}, {"-2^32", -p2(32)},
         {"2^32+1", p2(32) + 1}, {"-(2^32-1)", -(p2(32) - 1)},
         {"2^53-1", p2(53) - 1}, {"2^53", p2(53)}, {"2^53+1", p2(53) + 1},
         {"-(2^53-1)", -(p2(53) - 1)}, {"-2^53", -p2(53)},
         {"-(2^53+1)", -(p2(53) + 1)},
         {"2^56-1", p2(56) - 1}, {"2^56", p2(56)},
         {"2^63-1", p2(63) - 1}, {"2^63", p2(63)}, {"-2^63", -p2(63)},
         {"-2^63-1", -p2(63) - 1},
         {"2^64-1", p2(64) - 1}, {"2^64", p2(64)}, {"2^64+1", p2(64) + 1},
         {"-(2^64-1)", -(p2(64) - 1)}, {"-2^64", -p2(64)},
         {"-(2^64+1)", -(p2(64) + 1)},
         {"2^100", p2(100)}, {"-2^100", -p2(100)},
         {"10^100", pow10(100)}, {"-10^100", -pow10(100)},
         {"2^2040-1 (255 digit bytes, SMALL_BIG max)", p2(2040) - 1},
         {"-(2^2040-1)", -(p2(2040) - 1)},
         {"2^2040 (256 digit bytes, LARGE_BIG)", p2(2040)},
         {"-2^2040", -p2(2040)},
         {"2^2100", p2(2100)}, {"-(2^2100)", -p2(2100)},
         {"-(2^2100)+1", -p2(2100) + 1},
         {"2^8000", p2(8000)}, {"-(2^8000)", -p2(8000)},
         {"30!", fact(30)}, {"-(30!)", -fact(30)},
         {"0x0123456789abcdef0123", 16#0123456789abcdef0123}],
    Sweep = [{Name, V} || K <- [8, 15, 16, 23, 24, 39, 40, 47, 48, 55, 62, 65,
                                 71, 72, 127, 128, 255, 256],
                          {Name, V} <- [{fmt("2^~b-1", [K]), p2(K) - 1},
                                        {fmt("2^~b", [K]), p2(K)},
                                        {fmt("-2^~b", [K]), -p2(K)}]],
    Seen = [V || {_, V} <- Fixed],
    Extra = dedup_values(Sweep, Seen),
    [canon("int/" ++ Name, V, desc_int(V)) || {Name, V} <- Fixed ++ Extra].

desc_int(V) when abs(V) > 1 bsl 200 -> fmt("integer with ~b bits", [bits_of(abs(V))]) ++ sign_note(V);
desc_int(V) -> integer_to_list(V).

sign_note(V) when V < 0 -> ", negative";
sign_note(_) -> "".

bits_of(0) -> 0;
bits_of(N) -> 1 + bits_of(N bsr 1).

dedup_values([], _) -> [];
dedup_values([{N, V} | T], Seen) ->
    case lists:member(V, Seen) of
        true -> dedup_values(T, Seen);
        false -> [{N, V} | dedup_values(T, [V | Seen])]
    end.

pow10(0) -> 1;
pow10(N) -> 10 * pow10(N - 1).

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

%%% ------------------------------------------------------------------
%%% Floats
%%% ------------------------------------------------------------------

fbits(Bits) -> <<F:64/float>> = <<Bits:64>>, F.

floats() ->
    Named =
        [{"0.0", 0.0}, {"-0.0", fbits(16#8000000000000000)},
         {"1.0", 1.0}, {"-1.0", -1.0}, {"0.1", 0.1}, {"-0.1", -0.1},
         {"0.5", 0.5}, {"1.5", 1.5}, {"2.0", 2.0}, {"100.0", 100.0},
         {"255.0", 255.0}, {"256.0", 256.0}, {"65535.0", 65535.0},
         {"pi", math:pi()}, {"e", math:exp(1)},
         {"0.1+0.2", 0.1 + 0.2}, {"1/3", 1 / 3},
         {"1.0e20", 1.0e20}, {"1.0e21", 1.0e21}, {"-1.0e20", -1.0e20},
         {"1.0e15", 1.0e15}, {"1.0e16", 1.0e16}, {"1.0e-7", 1.0e-7},
         {"1.0e-10", 1.0e-10}, {"123456789.123", 123456789.123},
         {"1.0e300", 1.0e300}, {"-1.0e300", -1.0e300},
         {"2^53 as float", 9007199254740992.0},
         {"2^53+1 rounds to 2^53+2", 9007199254740994.0},
         {"2^63 as float", 9223372036854775808.0},
         {"2^64 as float", 18446744073709551616.0},
         {"1+ulp", fbits(16#3FF0000000000001)},
         {"1-ulp/2", fbits(16#3FEFFFFFFFFFFFFF)},
         {"5.0e-324 (min subnormal)", fbits(1)},
         {"-5.0e-324", fbits(16#8000000000000001)},
         {"max subnormal", fbits(16#000FFFFFFFFFFFFF)},
         {"2.2250738585072014e-308 (min normal)", fbits(16#0010000000000000)},
         {"1.7976931348623157e308 (max)", fbits(16#7FEFFFFFFFFFFFFF)},
         {"-1.7976931348623157e308", fbits(16#FFEFFFFFFFFFFFFF)},
         {"4503599627370496.5", 4503599627370496.5}],
    [canon("float/" ++ Name, F) || {Name, F} <- Named].

%%% ------------------------------------------------------------------
%%% Atoms
%%% ------------------------------------------------------------------

atom_u(Chars) -> list_to_atom(Chars).

atoms() ->
    Rep = fun(N, C) -> atom_u(lists:duplicate(N, C)) end,
    Named =
        [{"empty", ''}, {"a", a}, {"ok", ok}, {"error", error},
         {"true", true}, {"false", false}, {"undefined", undefined},
         {"nil", nil}, {"node name", 'node@127.0.0.1'},
         {"Capital", 'Capital'}, {"with space", 'hello world'},
         {"single quote", atom_u("it's")}, {"double quote", atom_u("say \"hi\"")},
         {"backslash", atom_u("back\\slash")}, {"newline", atom_u("line\nbreak")},
         {"tab", atom_u("a\tb")}, {"NUL", atom_u([0])}, {"DEL", atom_u([127])},
         {"control 0x01", atom_u([1])},
         {"latin1 ñandú", atom_u("ñandú")}, {"latin1 café", atom_u("café")},
         {"latin1 ß", atom_u("ß")}, {"latin1 ÿ (U+FF)", atom_u([255])},
         {"U+0080", atom_u([16#80])}, {"Ω (U+03A9)", atom_u([16#3A9])},
         {"U+07FF", atom_u([16#7FF])}, {"U+0800", atom_u([16#800])},
         {"日本", atom_u([26085, 26412])},
         {"日本語", atom_u([26085, 26412, 35486])},
         {"emoji 😀", atom_u([16#1F600])},
         {"flag 🇸🇪 (2 code points)", atom_u([16#1F1F8, 16#1F1EA])},
         {"U+FFFF", atom_u([16#FFFF])}, {"U+10000", atom_u([16#10000])},
         {"U+10FFFF", atom_u([16#10FFFF])},
         {"mixed Ωk日😀", atom_u([16#3A9, $k, 26085, 16#1F600])}],
    Long =
        [{"255 ascii chars (255 bytes, tag 119)", Rep(255, $x)},
         {"127 × ñ (254 bytes, tag 119)", Rep(127, $ñ)},
         {"128 × ñ (256 bytes, tag 118)", Rep(128, $ñ)},
         {"85 × 日 (255 bytes, tag 119)", Rep(85, 26085)},
         {"86 × 日 (258 bytes, tag 118)", Rep(86, 26085)},
         {"255 × ñ (510 bytes, tag 118)", Rep(255, $ñ)},
         {"255 × 日 (765 bytes, tag 118)", Rep(255, 26085)},
         {"255 × 😀 (1020 bytes, tag 118)", Rep(255, 16#1F600)}],
    [canon("atom/" ++ N, A) || {N, A} <- Named] ++
        [canon("atom/" ++ N, A, N) || {N, A} <- Long].

%%% ------------------------------------------------------------------
%%% Binaries and bitstrings
%%% ------------------------------------------------------------------

seq_bytes(N) -> << <<(I band 255)>> || I <- lists:seq(0, N - 1) >>.

binaries() ->
    Bins =
        [{"empty", <<>>}, {"<<0>>", <<0>>}, {"<<255>>", <<255>>},
         {"<<1,2,3>>", <<1, 2, 3>>}, {"hello", <<"hello">>},
         {"utf8 text", <<"ñandú 日本 😀"/utf8>>},
         {"131 inside", <<131, 97, 1>>}],
    Sized =
        [{"255 bytes", seq_bytes(255)}, {"256 bytes", seq_bytes(256)},
         {"1000 zero bytes", <<0:8000>>}, {"4096 bytes", seq_bytes(4096)},
         {"sub-binary of a larger one", binary:part(seq_bytes(300), 10, 20)}],
    Bits =
        [{"<<1:1>>", <<1:1>>}, {"<<0:1>>", <<0:1>>}, {"<<1:3>>", <<1:3>>},
         {"<<5:3>>", <<5:3>>}, {"<<127:7>>", <<127:7>>}, {"<<0:7>>", <<0:7>>},
         {"<<255,1:1>>", <<255, 1:1>>}, {"<<1,2,3:2>>", <<1, 2, 3:2>>},
         {"<<1:9>>", <<1:9>>}, {"<<65535:15>>", <<65535:15>>},
         {"<<1:17>>", <<1:17>>}, {"<<0,0:1>>", <<0, 0:1>>},
         {"255 bytes + 1 bit", <<(seq_bytes(255))/binary, 1:1>>},
         {"256 bytes + 7 bits", <<(seq_bytes(256))/binary, 85:7>>}],
    Uniq = dedup_bins(Bins ++ Sized),
    [canon("bin/" ++ N, B, desc_bin(N, B)) || {N, B} <- Uniq] ++
        [canon("bits/" ++ N, B, desc_bin(N, B)) || {N, B} <- Bits].

dedup_bins(L) -> dedup_values(L, []).

desc_bin(N, B) when bit_size(B) > 200 -> N;
desc_bin(_, B) -> show(B).

%%% ------------------------------------------------------------------
%%% Lists
%%% ------------------------------------------------------------------

lists_cases() ->
    Named =
        [{"[]", []}, {"[a]", [a]}, {"[1]", [1]}, {"[1,2] (STRING_EXT)", [1, 2]},
         {"\"abc\"", "abc"}, {"\"hello world\"", "hello world"},
         {"[0]", [0]}, {"[255]", [255]}, {"[256] (LIST_EXT)", [256]},
         {"[-1] (LIST_EXT)", [-1]}, {"[1,256]", [1, 256]},
         {"[a,b,c]", [a, b, c]}, {"[[]]", [[]]}, {"[[],[]]", [[], []]},
         {"[[1],[2]]", [[1], [2]]}, {"[[[a]]]", [[[a]]]},
         {"mixed", [1, a, <<"b">>, {c}, 2.0, "d"]},
         {"latin1 charlist \"ñ\"", [$ñ]}, {"unicode charlist \"日本\"", [26085, 26412]},
         {"[true,false]", [true, false]}, {"floats", [0.5, -0.0, 1.0e20]},
         {"big ints", [p2(64), -p2(64), p2(31)]},
         {"255 bytes (STRING_EXT)", lists:seq(1, 255)},
         {"256 bytes (STRING_EXT)", [I band 255 || I <- lists:seq(0, 255)]},
         {"1000 bytes", [I rem 256 || I <- lists:seq(1, 1000)]},
         {"list of strings", ["a", "bc", ""]},
         %% improper lists
         {"[a|b]", [a | b]}, {"[1,2|3]", [1, 2 | 3]}, {"[1|2]", [1 | 2]},
         {"[a|<<>>]", [a | <<>>]}, {"[a|{b}]", [a | {b}]},
         {"[1|2.0]", [1 | 2.0]}, {"\"ab\" with tail c", [$a, $b | c]},
         {"[[]|x]", [[] | x]}, {"[[a|b]|c]", [[a | b] | c]},
         {"[a|#{}]", [a | #{}]}],
    [canon("list/" ++ N, L, desc_list(N, L)) || {N, L} <- Named].

desc_list(N, L) when length(L) > 50 -> N;
desc_list(_, L) -> show(L).

%%% ------------------------------------------------------------------
%%% Tuples
%%% ------------------------------------------------------------------

tuples() ->
    Seq = fun(N) -> list_to_tuple(lists:seq(1, N)) end,
    Named =
        [{"{}", {}}, {"{a}", {a}}, {"{1,2}", {1, 2}}, {"{ok,1}", {ok, 1}},
         {"{error,reason}", {error, reason}}, {"{a,{b,{c}}}", {a, {b, {c}}}},
         {"{[]}", {[]}}, {"{<<>>}", {<<>>}}, {"{{}}", {{}}},
         {"record-like", {person, <<"Ann">>, 42, [admin]}},
         {"mixed", {1, 2.5, "s", <<"b">>, x, [a | b], #{k => v}}},
         {"{ok,{}} nested empty", {ok, {}}}],
    Sized =
        [{"254 elements", Seq(254)}, {"255 elements (SMALL_TUPLE max)", Seq(255)},
         {"256 elements (LARGE_TUPLE)", Seq(256)},
         {"1000 elements", Seq(1000)},
         {"256 atoms", list_to_tuple(lists:duplicate(256, a))}],
    [canon("tuple/" ++ N, T) || {N, T} <- Named] ++
        [canon("tuple/" ++ N, T, N) || {N, T} <- Sized].

%%% ------------------------------------------------------------------
%%% Maps
%%% ------------------------------------------------------------------

maps_cases() ->
    AtomKeys = fun(N) -> maps:from_list([{list_to_atom("k" ++ integer_to_list(I)), I}
                                         || I <- lists:seq(1, N)]) end,
    IntKeys = fun(N) -> maps:from_list([{I, I * I} || I <- lists:seq(1, N)]) end,
    Named =
        [{"#{}", #{}}, {"#{a=>1}", #{a => 1}}, {"#{a=>1,b=>2}", #{a => 1, b => 2}},
         {"integer keys", #{1 => a, 2 => b, 3 => c}},
         {"negative and big int keys", #{-1 => a, p2(70) => b, 0 => c}},
         {"tuple keys", #{{1, 2} => x, {a} => y, {} => z}},
         {"nested", #{a => #{b => #{c => 1}}}},
         {"binary keys", #{<<"id">> => 7, <<"op">> => <<"get">>}},
         {"list keys", #{[] => nil, [1] => one, "ab" => str}},
         {"float keys", #{1.5 => a, -0.5 => b}},
         {"1 and 1.0 both keys", #{1 => int, 1.0 => float}},
         {"map as key", #{#{a => 1} => x}},
         {"mixed key types (term order)",
          #{1 => n, a => at, {t} => tu, #{} => m, [] => ni, "l" => li, <<"b">> => bi}},
         {"utf8 atom keys", #{atom_u("ñ") => 1, atom_u([26085]) => 2}},
         {"list values", #{a => [1, 2, 3], b => [a | b]}}],
    Sized =
        [{"32 atom keys (largest flatmap)", AtomKeys(32)},
         {"33 atom keys (hash map)", AtomKeys(33)},
         {"33 integer keys", IntKeys(33)},
         {"100 integer keys", IntKeys(100)},
         {"40 keys of mixed types",
          maps:from_list([{I, I} || I <- lists:seq(1, 10)] ++
                             [{{t, I}, I} || I <- lists:seq(1, 10)] ++
                             [{integer_to_binary(I), I} || I <- lists:seq(1, 10)] ++
                             [{float(I) + 0.5, I} || I <- lists:seq(1, 10)])}],
    [canon("map/" ++ N, M) || {N, M} <- Named] ++
        [canon("map/" ++ N, M, N) || {N, M} <- Sized].

%%% ------------------------------------------------------------------
%%% Pids, refs, ports
%%% ------------------------------------------------------------------

ids_local() ->
    node() =:= nonode@nohost orelse fail("expected a non-distributed VM", []),
    Self = self(),
    Child = spawn(fun() -> receive stop -> ok end end),
    Ref = make_ref(),
    Alias = alias(),
    Mon = erlang:monitor(process, Child),
    Port = open_port({spawn, "cat"}, []),
    Cases =
        [canon("pid/nonode/self", Self, "self() on nonode@nohost"),
         canon("pid/nonode/spawned", Child, "spawn/1 on nonode@nohost"),
         canon("pid/nonode/init", whereis(init), "whereis(init) on nonode@nohost"),
         canon("ref/nonode/make_ref", Ref, "make_ref() on nonode@nohost"),
         canon("ref/nonode/alias", Alias, "alias() on nonode@nohost"),
         canon("ref/nonode/monitor", Mon, "erlang:monitor/2 on nonode@nohost"),
         canon("port/nonode/cat", Port, "open_port({spawn,\"cat\"},[]) on nonode@nohost"),
         canon("tuple/nonode/gen_call", {'$gen_call', {Self, [alias | Alias]}, ping},
               "{'$gen_call', {self(), [alias|alias()]}, ping} on nonode@nohost")],
    port_close(Port),
    Child ! stop,
    unalias(Alias),
    Cases.

start_dist() ->
    case node() of
        nonode@nohost ->
            case net_kernel:start(?NODE, #{name_domain => longnames,
                                           dist_listen => false}) of
                {ok, _} -> started;
                Err -> fail("net_kernel:start failed: ~p", [Err])
            end;
        _ -> already
    end.

stop_dist(started) -> ok = net_kernel:stop();
stop_dist(already) -> ok.

ids_dist() ->
    N = atom_to_list(node()),
    Self = self(),
    Child = spawn(fun() -> receive stop -> ok end end),
    Ref = make_ref(),
    Alias = alias(),
    Mon = erlang:monitor(process, Child),
    Port = open_port({spawn, "cat"}, []),
    At = fun(S) -> S ++ " on " ++ N end,
    Cases =
        [canon("pid/node/self", Self, At("self()")),
         canon("pid/node/spawned", Child, At("spawn/1")),
         canon("pid/node/init", whereis(init), At("whereis(init)")),
         canon("ref/node/make_ref", Ref, At("make_ref()")),
         canon("ref/node/alias", Alias, At("alias()")),
         canon("ref/node/monitor", Mon, At("erlang:monitor/2")),
         canon("port/node/cat", Port, At("open_port({spawn,\"cat\"},[])")),
         canon("list/node/alias-tag [alias|Ref]", [alias | Alias], At("[alias|alias()]")),
         canon("tuple/node/gen_call", {'$gen_call', {Self, [alias | Alias]}, ping},
               At("{'$gen_call', {self(), [alias|alias()]}, ping}")),
         canon("map/node/pid-and-ref keys", #{Self => pid, Ref => ref, Port => port},
               At("#{self() => pid, make_ref() => ref, Port => port}"))],
    port_close(Port),
    Child ! stop,
    unalias(Alias),
    Cases.

%% Hand-made NEW_PID_EXT / NEWER_REFERENCE_EXT / NEW_PORT_EXT / V4_PORT_EXT
%% for a foreign node; each must be exactly what term_to_binary re-emits.
ids_crafted() ->
    P = <<"peer@127.0.0.1">>,
    A = fun(Node) -> <<119, (byte_size(Node)), Node/binary>> end,
    U = unicode:characters_to_binary("ñode@日本"),
    Max = 16#FFFFFFFF,
    Pid = fun(Node, Id, Ser, Cr) -> <<131, 88, (A(Node))/binary, Id:32, Ser:32, Cr:32>> end,
    Ref = fun(Node, Cr, Ids) ->
                  <<131, 90, (length(Ids)):16, (A(Node))/binary, Cr:32,
                    (<< <<I:32>> || I <- Ids >>)/binary>>
          end,
    Port89 = fun(Node, Id, Cr) -> <<131, 89, (A(Node))/binary, Id:32, Cr:32>> end,
    Port120 = fun(Node, Id, Cr) -> <<131, 120, (A(Node))/binary, Id:64, Cr:32>> end,
    [canon_bytes("pid/crafted/id 2^32-1 serial 2^32-2 creation 2^32-1",
                 Pid(P, Max, Max - 1, Max), "<peer@127.0.0.1.4294967295.4294967294>, creation 4294967295"),
     canon_bytes("pid/crafted/id 2^32-2 serial 2^32-1", Pid(P, Max - 1, Max, 7), "NEW_PID_EXT id 4294967294 serial 4294967295 creation 7"),
     canon_bytes("pid/crafted/id 2^15 serial 2^13 (beyond pre-V4 widths)",
                 Pid(P, p2(15), p2(13), 1), "NEW_PID_EXT id 32768 serial 8192 creation 1"),
     canon_bytes("pid/crafted/all zero incl. creation 0", Pid(P, 0, 0, 0), "NEW_PID_EXT id 0 serial 0 creation 0"),
     canon_bytes("pid/crafted/utf8 node name", Pid(U, 5, 6, 7), "NEW_PID_EXT node 'ñode@日本' id 5 serial 6 creation 7"),
     canon_bytes("ref/crafted/1 word", Ref(P, 3, [1]), "NEWER_REFERENCE_EXT 1 word"),
     canon_bytes("ref/crafted/2 words", Ref(P, 3, [1, 2]), "NEWER_REFERENCE_EXT 2 words"),
     canon_bytes("ref/crafted/3 words max values", Ref(P, Max, [Max, Max, Max]),
                 "NEWER_REFERENCE_EXT 3 words, all 2^32-1, creation 2^32-1"),
     canon_bytes("ref/crafted/4 words", Ref(P, 9, [1, 2, 3, 4]), "NEWER_REFERENCE_EXT 4 words"),
     canon_bytes("ref/crafted/5 words", Ref(P, 9, [Max, 16#DEADBEEF, 3, 2, 1]),
                 "NEWER_REFERENCE_EXT 5 words (OTP 24+ pid-ref size)"),
     canon_bytes("ref/crafted/0 words", Ref(P, 9, []), "NEWER_REFERENCE_EXT with Len 0 (accepted and re-emitted by OTP 25)"),
     canon_bytes("ref/crafted/utf8 node name", Ref(U, 1, [10, 20, 30]), "NEWER_REFERENCE_EXT node 'ñode@日本'"),
     canon_bytes("port/crafted/NEW_PORT_EXT id 0", Port89(P, 0, 1), "NEW_PORT_EXT id 0 creation 1"),
     canon_bytes("port/crafted/NEW_PORT_EXT id 2^28-1", Port89(P, p2(28) - 1, Max),
                 "NEW_PORT_EXT id 268435455 creation 2^32-1 (largest id OTP 25 emits as tag 89)"),
     canon_bytes("port/crafted/V4_PORT_EXT id 2^28", Port120(P, p2(28), 5),
                 "V4_PORT_EXT id 268435456 (OTP 25 switches to tag 120 here)"),
     canon_bytes("port/crafted/V4_PORT_EXT id 2^32", Port120(P, p2(32), 5), "V4_PORT_EXT id 4294967296"),
     canon_bytes("port/crafted/V4_PORT_EXT id 2^64-1", Port120(P, p2(64) - 1, 5), "V4_PORT_EXT id 18446744073709551615"),
     canon_bytes("port/crafted/V4_PORT_EXT id 0x123456789abcdef0", Port120(P, 16#123456789ABCDEF0, 2),
                 "V4_PORT_EXT id 1311768467463790320")].

%%% ------------------------------------------------------------------
%%% Funs
%%% ------------------------------------------------------------------

-define(FUN_MOD_SRC,
        "-module(etf_vec_funs).\n"
        "-export([no_free/0, adder/1, triple/3, wrap/1, arity3/0, self_capture/0]).\n"
        "no_free() -> fun() -> ok end.\n"
        "adder(Y) -> fun(X) -> X + Y end.\n"
        "triple(A, B, C) -> fun() -> {A, B, C} end.\n"
        "wrap(F) -> fun(X) -> F(X) end.\n"
        "arity3() -> fun(A, B, C) -> [A, B, C] end.\n"
        "self_capture() -> P = self(), fun() -> P end.\n").

load_fun_module() ->
    {ok, Tokens, _} = erl_scan:string(?FUN_MOD_SRC),
    Forms = [begin {ok, F} = erl_parse:parse_form(Ts), F end || Ts <- split_dots(Tokens, [])],
    {ok, Mod, Bin} = compile:forms(Forms, [binary, return_errors]),
    {module, Mod} = code:load_binary(Mod, "etf_vec_funs.erl", Bin),
    ok.

split_dots([], []) -> [];
split_dots([{dot, _} = D | T], Acc) -> [lists:reverse([D | Acc]) | split_dots(T, [])];
split_dots([Tok | T], Acc) -> split_dots(T, [Tok | Acc]).

funs() ->
    M = etf_vec_funs,
    Adder = M:adder(5),
    [canon("export/lists:map/2", fun lists:map/2, "fun lists:map/2"),
     canon("export/erlang:self/0", fun erlang:self/0, "fun erlang:self/0"),
     canon("export/unloaded module", fun no_such_mod:f/0, "fun no_such_mod:f/0"),
     canon("export/utf8 names", erlang:make_fun(atom_u("mód"), atom_u([26085]), 1),
           "erlang:make_fun('mód', '日', 1)"),
     canon("export/arity 255", erlang:make_fun(m, f, 255), "erlang:make_fun(m, f, 255)"),
     canon("fun/no free vars", M:no_free(), "fun() -> ok end (etf_vec_funs:no_free/0)"),
     canon("fun/one free var", Adder, "fun(X) -> X + Y end, Y = 5 (etf_vec_funs:adder/1)"),
     canon("fun/three free vars", M:triple(a, [1, 2], <<"bin">>),
           "fun() -> {A, B, C} end, A = a, B = [1,2], C = <<\"bin\">>"),
     canon("fun/free var is a fun", M:wrap(Adder), "fun(X) -> F(X) end, F = adder(5)"),
     canon("fun/free var is an export", M:wrap(fun lists:reverse/1),
           "fun(X) -> F(X) end, F = fun lists:reverse/1"),
     canon("fun/arity 3", M:arity3(), "fun(A, B, C) -> [A, B, C] end"),
     canon("fun/captures a pid", M:self_capture(), "fun() -> P end, P = self() on nonode@nohost"),
     canon("fun/inside a tuple", {callback, Adder}, "{callback, adder(5)}")].

funs_dist() ->
    [canon("fun/node/one free var", etf_vec_funs:adder(7),
           "fun(X) -> X + Y end, Y = 7, created on " ++ atom_to_list(node())),
     canon("fun/node/captures a pid", etf_vec_funs:self_capture(),
           "fun() -> P end, P = self() on " ++ atom_to_list(node()))].

%%% ------------------------------------------------------------------
%%% Decode-only input
%%% ------------------------------------------------------------------

legacy() ->
    Node = <<"old@127.0.0.1">>,
    NA = <<119, (byte_size(Node)), Node/binary>>,
    NA100 = <<100, (byte_size(Node)):16, Node/binary>>,
    FloatExt = fun(S) -> Pad = 31 - length(S), <<131, 99, (list_to_binary(S))/binary, 0:(Pad * 8)>> end,
    Compressible = [lists:duplicate(100, hello_world), <<0:2000>>],
    Cases =
        %% Latin-1 atom tags
        [legacy("atom/ATOM_EXT a", <<131, 100, 1:16, $a>>, "a as ATOM_EXT (100)"),
         legacy("atom/ATOM_EXT empty", <<131, 100, 0:16>>, "'' as ATOM_EXT"),
         legacy("atom/ATOM_EXT latin1 ñ", <<131, 100, 1:16, 241>>, "'ñ' as ATOM_EXT, Latin-1 byte 0xF1"),
         legacy("atom/ATOM_EXT 255 × ÿ", <<131, 100, 255:16, (binary:copy(<<255>>, 255))/binary>>,
                "255 × 'ÿ' as ATOM_EXT; re-encoded as ATOM_UTF8_EXT (510 bytes)"),
         legacy("atom/SMALL_ATOM_EXT a", <<131, 115, 1, $a>>, "a as SMALL_ATOM_EXT (115)"),
         legacy("atom/SMALL_ATOM_EXT empty", <<131, 115, 0>>, "'' as SMALL_ATOM_EXT"),
         legacy("atom/SMALL_ATOM_EXT true", <<131, 115, 4, "true">>, "true as SMALL_ATOM_EXT (what Ergo sends)"),
         legacy("atom/SMALL_ATOM_EXT latin1 ÿ", <<131, 115, 1, 255>>, "'ÿ' as SMALL_ATOM_EXT"),
         legacy("atom/ATOM_UTF8_EXT for a short atom", <<131, 118, 2:16, "ok">>, "ok as ATOM_UTF8_EXT (118)"),
         %% FLOAT_EXT, both what erl writes with minor_version 0 and shorter text
         legacy("float/FLOAT_EXT 0.1 (minor_version 0)", term_to_binary(0.1, [{minor_version, 0}]),
                "term_to_binary(0.1, [{minor_version,0}])"),
         legacy("float/FLOAT_EXT 1.0e20 (minor_version 0)", term_to_binary(1.0e20, [{minor_version, 0}]),
                "term_to_binary(1.0e20, [{minor_version,0}])"),
         legacy("float/FLOAT_EXT -1.5 (minor_version 0)", term_to_binary(-1.5, [{minor_version, 0}]),
                "term_to_binary(-1.5, [{minor_version,0}])"),
         legacy("float/FLOAT_EXT max (minor_version 0)",
                term_to_binary(fbits(16#7FEFFFFFFFFFFFFF), [{minor_version, 0}]),
                "term_to_binary(1.7976931348623157e308, [{minor_version,0}])"),
         legacy("float/FLOAT_EXT 5.0e-324 (minor_version 0)", term_to_binary(fbits(1), [{minor_version, 0}]),
                "term_to_binary(5.0e-324, [{minor_version,0}])"),
         legacy("float/FLOAT_EXT -0.0", FloatExt("-0.00000000000000000000e+00"), "FLOAT_EXT \"-0.00000000000000000000e+00\""),
         legacy("float/FLOAT_EXT short text 2.5", FloatExt("2.5"), "FLOAT_EXT \"2.5\" zero-padded"),
         legacy("float/FLOAT_EXT 1.0e-7 as 1e-07 style", FloatExt("1.0e-07"), "FLOAT_EXT \"1.0e-07\" zero-padded"),
         legacy("float/FLOAT_EXT upper-case E", FloatExt("1.0E2"), "FLOAT_EXT \"1.0E2\" zero-padded"),
         legacy("float/FLOAT_EXT explicit plus sign", FloatExt("+1.25"), "FLOAT_EXT \"+1.25\" zero-padded"),
         %% old pid/port/ref tags
         legacy("pid/PID_EXT", <<131, 103, NA/binary, 5:32, 1:32, 2>>, "PID_EXT <old@127.0.0.1.5.1>, creation 2 (one byte)"),
         legacy("pid/PID_EXT full 32-bit id and serial", <<131, 103, NA/binary, 16#FFFFFFFF:32, 16#FFFFFFFF:32, 3>>,
                "PID_EXT id and serial 2^32-1, creation 3"),
         legacy("pid/NEW_PID_EXT with ATOM_EXT node", <<131, 88, NA100/binary, 5:32, 1:32, 2:32>>,
                "NEW_PID_EXT whose node is ATOM_EXT"),
         legacy("port/PORT_EXT", <<131, 102, NA/binary, 77:32, 1>>, "PORT_EXT id 77, creation 1 (one byte)"),
         legacy("port/PORT_EXT id 2^28-1", <<131, 102, NA/binary, (p2(28) - 1):32, 3>>, "PORT_EXT id 268435455, creation 3"),
         legacy("port/NEW_PORT_EXT id 2^28 (OTP 25 re-emits as V4_PORT_EXT)", <<131, 89, NA/binary, (p2(28)):32, 3:32>>,
                "NEW_PORT_EXT id 268435456"),
         legacy("port/NEW_PORT_EXT id 2^32-1", <<131, 89, NA/binary, 16#FFFFFFFF:32, 3:32>>, "NEW_PORT_EXT id 4294967295"),
         legacy("port/V4_PORT_EXT with a small id", <<131, 120, NA/binary, 77:64, 3:32>>, "V4_PORT_EXT id 77 (re-emitted as NEW_PORT_EXT)"),
         legacy("ref/REFERENCE_EXT", <<131, 101, NA/binary, 12345:32, 1>>, "REFERENCE_EXT one word, creation 1"),
         legacy("ref/REFERENCE_EXT id 2^18-1", <<131, 101, NA/binary, (p2(18) - 1):32, 3>>, "REFERENCE_EXT id 262143 (18-bit max)"),
         legacy("ref/NEW_REFERENCE_EXT 1 word", <<131, 114, 1:16, NA/binary, 2, 7:32>>, "NEW_REFERENCE_EXT 1 word, creation 2"),
         legacy("ref/NEW_REFERENCE_EXT 3 words", <<131, 114, 3:16, NA/binary, 1, (p2(18) - 1):32, 16#FFFFFFFF:32, 42:32>>,
                "NEW_REFERENCE_EXT 3 words, first at the 18-bit max"),
         legacy("ref/NEW_REFERENCE_EXT 5 words", <<131, 114, 5:16, NA/binary, 3, 1:32, 2:32, 3:32, 4:32, 5:32>>,
                "NEW_REFERENCE_EXT 5 words"),
         %% compressed
         legacy("compressed/term_to_binary(T,[compressed])", term_to_binary(Compressible, [compressed]),
                "term_to_binary([lists:duplicate(100, hello_world), <<0:2000>>], [compressed])"),
         legacy("compressed/term_to_binary(T,[{compressed,9}])", term_to_binary(Compressible, [{compressed, 9}]),
                "same term, [{compressed,9}]"),
         legacy("compressed/level 1", term_to_binary(Compressible, [{compressed, 1}]), "same term, [{compressed,1}]"),
         legacy("compressed/minor_version 2", term_to_binary(Compressible, [compressed, {minor_version, 2}]),
                "same term, [compressed, {minor_version,2}]"),
         legacy("compressed/binary of zeros", term_to_binary(<<0:8000>>, [compressed]), "term_to_binary(<<0:8000>>, [compressed])"),
         legacy("compressed/list of 300 integers", term_to_binary(lists:duplicate(300, 1000), [compressed]),
                "term_to_binary(lists:duplicate(300, 1000), [compressed])"),
         %% OTP 25 default encoding (minor_version 1)
         legacy("default/a", term_to_binary(a), "term_to_binary(a) on OTP 25"),
         legacy("default/true", term_to_binary(true), "term_to_binary(true) on OTP 25"),
         legacy("default/'ñandú'", term_to_binary(atom_u("ñandú")), "term_to_binary('ñandú') on OTP 25"),
         legacy("default/{ok,[a,b]}", term_to_binary({ok, [a, b]}), "term_to_binary({ok,[a,b]}) on OTP 25"),
         legacy("default/#{a=>1,b=>x}", term_to_binary(#{a => 1, b => x}), "term_to_binary(#{a=>1,b=>x}) on OTP 25"),
         legacy("default/export", term_to_binary(fun lists:map/2), "term_to_binary(fun lists:map/2) on OTP 25"),
         legacy("default/crafted pid", term_to_binary(binary_to_term(<<131, 88, NA/binary, 5:32, 1:32, 2:32>>)),
                "term_to_binary(<old@127.0.0.1.5.1>) on OTP 25"),
         legacy("default/255 × ÿ", term_to_binary(list_to_atom(lists:duplicate(255, 255))),
                "term_to_binary of a 255-char Latin-1 atom on OTP 25 (ATOM_EXT)"),
         %% valid but not the smallest / canonical form
         legacy("noncanonical/INTEGER_EXT 5", <<131, 98, 5:32>>, "5 as INTEGER_EXT"),
         legacy("noncanonical/INTEGER_EXT 0", <<131, 98, 0:32>>, "0 as INTEGER_EXT"),
         legacy("noncanonical/SMALL_BIG_EXT 1", <<131, 110, 1, 0, 1>>, "1 as SMALL_BIG_EXT"),
         legacy("noncanonical/SMALL_BIG_EXT -1", <<131, 110, 1, 1, 1>>, "-1 as SMALL_BIG_EXT"),
         legacy("noncanonical/SMALL_BIG_EXT 2^31-1", <<131, 110, 4, 0, 255, 255, 255, 127>>, "2^31-1 as SMALL_BIG_EXT"),
         legacy("noncanonical/SMALL_BIG_EXT zero digits", <<131, 110, 0, 0>>, "0 as SMALL_BIG_EXT with n = 0"),
         legacy("noncanonical/SMALL_BIG_EXT negative zero", <<131, 110, 1, 1, 0>>, "SMALL_BIG_EXT sign 1, digit 0 (= 0)"),
         legacy("noncanonical/SMALL_BIG_EXT nine zero digits", <<131, 110, 9, 0, 0:72>>, "0 as SMALL_BIG_EXT with 9 zero digits"),
         legacy("noncanonical/SMALL_BIG_EXT 2^64 with extra zero digit", <<131, 110, 10, 0, 0:64, 1, 0>>,
                "2^64 with a trailing most-significant zero digit"),
         legacy("noncanonical/SMALL_BIG_EXT sign byte 2", <<131, 110, 5, 2, 0, 0, 0, 0, 1>>,
                "SMALL_BIG_EXT sign 2 — any non-zero sign means negative (-2^32)"),
         legacy("noncanonical/LARGE_BIG_EXT small value", <<131, 111, 1:32, 0, 5>>, "5 as LARGE_BIG_EXT"),
         legacy("noncanonical/LARGE_BIG_EXT 2^64", <<131, 111, 9:32, 0, 0:64, 1>>, "2^64 as LARGE_BIG_EXT"),
         legacy("noncanonical/LIST_EXT of bytes", <<131, 108, 2:32, 97, 1, 97, 2, 106>>, "[1,2] as LIST_EXT"),
         legacy("noncanonical/LIST_EXT empty", <<131, 108, 0:32, 106>>, "LIST_EXT with 0 elements and [] tail (= [])"),
         legacy("noncanonical/LIST_EXT empty with tail 1", <<131, 108, 0:32, 97, 1>>, "LIST_EXT with 0 elements and tail 1 (= 1)"),
         legacy("noncanonical/LIST_EXT nested tails", <<131, 108, 1:32, 97, 1, 108, 1:32, 97, 2, 106>>,
                "[1|[2]] written as two LIST_EXTs"),
         legacy("noncanonical/STRING_EXT empty", <<131, 107, 0:16>>, "STRING_EXT of length 0 (= [])"),
         legacy("noncanonical/LARGE_TUPLE_EXT arity 2", <<131, 105, 2:32, 97, 1, 97, 2>>, "{1,2} as LARGE_TUPLE_EXT"),
         legacy("noncanonical/LARGE_TUPLE_EXT arity 0", <<131, 105, 0:32>>, "{} as LARGE_TUPLE_EXT"),
         legacy("noncanonical/BIT_BINARY_EXT 8 bits", <<131, 77, 1:32, 8, 255>>, "BIT_BINARY_EXT with 8 used bits (= <<255>>)"),
         legacy("noncanonical/BIT_BINARY_EXT empty, bits 0", <<131, 77, 0:32, 0>>, "BIT_BINARY_EXT length 0, bits 0 (= <<>>)"),
         legacy("noncanonical/BIT_BINARY_EXT unused bits set", <<131, 77, 1:32, 3, 255>>,
                "BIT_BINARY_EXT 3 bits of 0xFF: unused bits are dropped (= <<7:3>>)"),
         legacy("noncanonical/map keys out of order", <<131, 116, 2:32, 119, 1, $b, 97, 1, 119, 1, $a, 97, 2>>,
                "#{b=>1, a=>2} with b first"),
         legacy("noncanonical/map 1.0 before 1", <<131, 116, 2:32, 70, 1.0:64/float, 97, 1, 97, 1, 97, 2>>,
                "#{1.0=>1, 1=>2} with the float key first"),
         legacy("noncanonical/NEWER_REFERENCE_EXT with ATOM_EXT node", <<131, 90, 1:16, NA100/binary, 1:32, 9:32>>,
                "NEWER_REFERENCE_EXT whose node is ATOM_EXT")],
    Cases.

%%% ------------------------------------------------------------------
%%% Invalid input
%%% ------------------------------------------------------------------

invalid() ->
    A = <<119, 1, $a>>,
    Node = <<119, 3, "a@b">>,
    Huge = 16#FFFFFFFF,
    Rep = fun(N, B) -> binary:copy(B, N) end,
    U256 = unicode:characters_to_binary(lists:duplicate(256, $ñ)),
    Zpad = fun(S) -> <<131, 99, (list_to_binary(S))/binary, 0:((31 - length(S)) * 8)>> end,
    Compressed = term_to_binary(lists:duplicate(100, a), [compressed]),
    <<131, 80, CSize:32, CData/binary>> = Compressed,
    Explicit =
        [{"empty input", <<>>},
         {"version byte only", <<131>>},
         {"version 130", <<130, 97, 1>>},
         {"version 0", <<0, 97, 1>>},
         {"no version byte", <<97, 1>>},
         {"tag 0", <<131, 0>>}, {"tag 1", <<131, 1, 0, 0>>},
         {"tag 71", <<131, 71, 0, 0, 0, 0, 0, 0, 0, 0>>},
         {"tag 72", <<131, 72, 0, 0, 0, 0>>},
         {"tag 117 FUN_EXT (removed)", <<131, 117, 0:32, 103, Node/binary, 1:32, 0:32, 0,
                                         119, 1, $m, 97, 0, 97, 0>>},
         {"tag 200", <<131, 200>>}, {"tag 255", <<131, 255, 0>>},
         {"tag 68 dist header in a term", <<131, 68, 0>>},
         {"tag 69 fragment header in a term", <<131, 69, 0:64, 0:64, 0>>},
         {"tag 82 ATOM_CACHE_REF outside a dist header", <<131, 82, 0>>},
         {"ATOM_CACHE_REF inside a tuple", <<131, 104, 1, 82, 3>>},
         %% lengths past the end
         {"BINARY_EXT length 2^32-1", <<131, 109, Huge:32, 1, 2, 3>>},
         {"BINARY_EXT length 5, 4 bytes", <<131, 109, 5:32, 1, 2, 3, 4>>},
         {"LIST_EXT count 2^32-1", <<131, 108, Huge:32, 97, 1, 106>>},
         {"LIST_EXT count 2^31", <<131, 108, 16#80000000:32, 106>>},
         {"LIST_EXT missing tail", <<131, 108, 1:32, 97, 1>>},
         {"LARGE_TUPLE_EXT arity 2^32-1", <<131, 105, Huge:32, 97, 1>>},
         {"SMALL_TUPLE_EXT arity 3, 2 elements", <<131, 104, 3, 97, 1, 97, 2>>},
         {"MAP_EXT arity 2^32-1", <<131, 116, Huge:32, 97, 1, 97, 2>>},
         {"MAP_EXT key without value", <<131, 116, 1:32, 97, 1>>},
         {"STRING_EXT length 65535, 3 bytes", <<131, 107, 65535:16, 1, 2, 3>>},
         {"SMALL_BIG_EXT n 8, 2 digits", <<131, 110, 8, 0, 1, 2>>},
         {"SMALL_BIG_EXT missing sign", <<131, 110, 1>>},
         {"LARGE_BIG_EXT n 2^32-1", <<131, 111, Huge:32, 0, 5>>},
         {"LARGE_BIG_EXT n 256, 1 digit", <<131, 111, 256:32, 0, 5>>},
         {"ATOM_UTF8_EXT length 65535, 1 byte", <<131, 118, 65535:16, $a>>},
         {"SMALL_ATOM_UTF8_EXT length 255, 1 byte", <<131, 119, 255, $a>>},
         {"ATOM_EXT length 10, 2 bytes", <<131, 100, 10:16, $a, $b>>},
         {"BIT_BINARY_EXT length 2^32-1", <<131, 77, Huge:32, 3, 0>>},
         {"NEW_FUN_EXT size 2^32-1", <<131, 112, Huge:32, 0>>},
         {"NEW_FUN_EXT size 1", <<131, 112, 0, 0, 0, 1>>},
         %% atoms
         {"SMALL_ATOM_UTF8_EXT byte 0xFF", <<131, 119, 1, 255>>},
         {"SMALL_ATOM_UTF8_EXT lone continuation byte", <<131, 119, 1, 16#80>>},
         {"SMALL_ATOM_UTF8_EXT overlong NUL (C0 80)", <<131, 119, 2, 16#C0, 16#80>>},
         {"SMALL_ATOM_UTF8_EXT surrogate U+D800", <<131, 119, 3, 16#ED, 16#A0, 16#80>>},
         {"SMALL_ATOM_UTF8_EXT above U+10FFFF", <<131, 119, 4, 16#F4, 16#90, 16#80, 16#80>>},
         {"SMALL_ATOM_UTF8_EXT cut multibyte sequence", <<131, 119, 2, 16#E6, 16#97>>},
         {"ATOM_UTF8_EXT invalid UTF-8", <<131, 118, 2:16, 16#FF, 16#FE>>},
         {"ATOM_UTF8_EXT 256 ascii characters", <<131, 118, 256:16, (Rep(256, <<$a>>))/binary>>},
         {"ATOM_UTF8_EXT 256 × ñ (512 bytes)", <<131, 118, (byte_size(U256)):16, U256/binary>>},
         {"ATOM_EXT 256 Latin-1 characters", <<131, 100, 256:16, (Rep(256, <<$a>>))/binary>>},
         %% bitstrings
         {"BIT_BINARY_EXT bits 0 with 1 byte", <<131, 77, 1:32, 0, 255>>},
         {"BIT_BINARY_EXT bits 9", <<131, 77, 1:32, 9, 255>>},
         {"BIT_BINARY_EXT bits 255", <<131, 77, 1:32, 255, 255>>},
         {"BIT_BINARY_EXT empty with bits 3", <<131, 77, 0:32, 3>>},
         {"BIT_BINARY_EXT empty with bits 8", <<131, 77, 0:32, 8>>},
         %% floats
         {"NEW_FLOAT_EXT quiet NaN", <<131, 70, 16#7FF8000000000000:64>>},
         {"NEW_FLOAT_EXT negative NaN", <<131, 70, 16#FFF8000000000000:64>>},
         {"NEW_FLOAT_EXT signalling NaN", <<131, 70, 16#7FF0000000000001:64>>},
         {"NEW_FLOAT_EXT +Inf", <<131, 70, 16#7FF0000000000000:64>>},
         {"NEW_FLOAT_EXT -Inf", <<131, 70, 16#FFF0000000000000:64>>},
         {"NEW_FLOAT_EXT 7 bytes", <<131, 70, 0, 0, 0, 0, 0, 0, 0>>},
         {"FLOAT_EXT text abc", Zpad("abc")},
         {"FLOAT_EXT text nan", Zpad("nan")},
         {"FLOAT_EXT text inf", Zpad("inf")},
         {"FLOAT_EXT 1.0e400 overflows", Zpad("1.0e400")},
         {"FLOAT_EXT without a dot", Zpad("1")},
         {"FLOAT_EXT leading spaces", Zpad("  2.5")},
         {"FLOAT_EXT junk after the number", Zpad("1.5 x")},
         {"FLOAT_EXT trailing space", Zpad("1.0 ")},
         {"FLOAT_EXT trailing newline", Zpad("1.0\n")},
         {"FLOAT_EXT exponent without a dot (1e5)", Zpad("1e5")},
         {"FLOAT_EXT no digit after the dot (1.e5)", Zpad("1.e5")},
         {"FLOAT_EXT no digit before the dot (.5)", Zpad(".5")},
         {"FLOAT_EXT 30 bytes", <<131, 99, "1.0", 0:(27 * 8)>>},
         %% maps
         {"MAP_EXT duplicate key", <<131, 116, 2:32, 97, 1, 97, 2, 97, 1, 97, 3>>},
         {"MAP_EXT duplicate atom key", <<131, 116, 2:32, A/binary, 97, 1, A/binary, 97, 2>>},
         {"MAP_EXT 33 pairs with a duplicate key",
          <<131, 116, 33:32, (<< <<97, (I rem 32), 97, I>> || I <- lists:seq(0, 32) >>)/binary>>},
         %% pids, refs, ports, funs
         {"NEW_PID_EXT node is an integer", <<131, 88, 97, 1, 0:32, 0:32, 0:32>>},
         {"NEW_PID_EXT truncated", <<131, 88, Node/binary, 1:32, 2:32, 3:16>>},
         {"NEWER_REFERENCE_EXT 6 words", <<131, 90, 6:16, Node/binary, 0:32, 1:32, 2:32, 3:32, 4:32, 5:32, 6:32>>},
         {"NEWER_REFERENCE_EXT 3 words, 2 present", <<131, 90, 3:16, Node/binary, 0:32, 1:32, 2:32>>},
         {"NEW_REFERENCE_EXT 6 words", <<131, 114, 6:16, Node/binary, 0, 1:32, 2:32, 3:32, 4:32, 5:32, 6:32>>},
         {"NEW_REFERENCE_EXT first word over 18 bits", <<131, 114, 1:16, Node/binary, 0, Huge:32>>},
         {"REFERENCE_EXT id over 18 bits", <<131, 101, Node/binary, Huge:32, 3>>},
         {"NEW_PORT_EXT node is a tuple", <<131, 89, 104, 0, 1:32, 1:32>>},
         {"V4_PORT_EXT truncated id", <<131, 120, Node/binary, 1:32>>},
         {"EXPORT_EXT arity is an atom", <<131, 113, 119, 1, $m, 119, 1, $f, 119, 1, $a>>},
         {"EXPORT_EXT arity -1", <<131, 113, 119, 1, $m, 119, 1, $f, 98, Huge:32>>},
         {"EXPORT_EXT module is an integer", <<131, 113, 97, 1, 119, 1, $f, 97, 1>>},
         %% compressed
         {"compressed, not zlib data", <<131, 80, 5:32, 1, 2, 3, 4>>},
         {"compressed, declared size too small", <<131, 80, (CSize - 1):32, CData/binary>>},
         {"compressed, declared size too large", <<131, 80, (CSize + 1):32, CData/binary>>},
         {"compressed, declared size 0", <<131, 80, 0:32, CData/binary>>},
         {"compressed inside a tuple", <<131, 104, 1, 80, CSize:32, CData/binary>>},
         {"compressed, truncated zlib stream", <<131, 80, CSize:32, (binary:part(CData, 0, byte_size(CData) - 4))/binary>>},
         {"compressed, inner term truncated", <<131, 80, 2:32, (zlib:compress(<<98, 0>>))/binary>>}],
    %% Truncations of valid terms: every proper prefix must be rejected.
    Samples =
        [{"tuple", {ok, [1, 2 | 3], <<"xy">>, 'ñ', 70000, -p2(40)}},
         {"map", #{a => 1.5, {k} => "str"}},
         {"pid", binary_to_term(<<131, 88, Node/binary, 1:32, 2:32, 3:32>>)},
         {"ref", binary_to_term(<<131, 90, 3:16, Node/binary, 9:32, 1:32, 2:32, 3:32>>)},
         {"export", fun lists:map/2},
         {"fun", etf_vec_funs:adder(5)},
         {"bitstring", <<1, 2, 3:3>>},
         {"big", p2(300)}],
    Truncs = [{fmt("truncated ~s at ~b of ~b bytes", [N, Len, byte_size(B)]),
               binary:part(B, 0, Len)}
              || {N, T} <- Samples,
                 B <- [mv2(T)],
                 Len <- lists:usort([2, byte_size(B) div 2, byte_size(B) - 1])],
    dedup_invalid([invalid("invalid/" ++ N, Bytes) || {N, Bytes} <- Explicit ++ Truncs]).

dedup_invalid(Cases) ->
    {_, Out} = lists:foldl(
                 fun(#{hex := H} = C, {Seen, Acc}) ->
                         case maps:is_key(H, Seen) of
                             true -> {Seen, Acc};
                             false -> {Seen#{H => 1}, [C | Acc]}
                         end
                 end, {#{}, []}, Cases),
    lists:reverse(Out).

%%% ------------------------------------------------------------------
%%% Large
%%% ------------------------------------------------------------------

large() ->
    MiB = << <<((I * 7 + I div 256) band 255)>> || I <- lists:seq(0, 1048575) >>,
    Deep = lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 10000)),
    DeepT = lists:foldl(fun(_, Acc) -> {Acc} end, {}, lists:seq(1, 10000)),
    DeepImproper = lists:foldl(fun(_, Acc) -> [Acc | x] end, x, lists:seq(1, 1000)),
    [canon("large/binary 1 MiB", MiB, "1 MiB binary, byte i = (7i + i div 256) band 255"),
     canon("large/binary 65535 bytes", seq_bytes(65535), "65535-byte binary, byte i = i band 255"),
     canon("large/binary 65536 bytes", seq_bytes(65536), "65536-byte binary, byte i = i band 255"),
     canon("large/bitstring 65536 bytes + 5 bits", <<(seq_bytes(65536))/binary, 21:5>>,
           "65536-byte binary followed by <<21:5>>"),
     canon("large/list nested depth 10000", Deep, "[[[…[]…]]], 10000 levels"),
     canon("large/tuple nested depth 10000", DeepT, "{{{…{}…}}}, 10000 levels"),
     canon("large/improper nested depth 1000", DeepImproper, "[[[…x|x]…|x]|x], 1000 levels"),
     canon("large/list 10000 integers", lists:seq(1, 10000), "lists:seq(1, 10000)"),
     canon("large/byte list 65535 (STRING_EXT max)", [I rem 256 || I <- lists:seq(1, 65535)],
           "[I rem 256 || I <- lists:seq(1, 65535)]"),
     canon("large/byte list 65536 (LIST_EXT)", [I rem 256 || I <- lists:seq(1, 65536)],
           "[I rem 256 || I <- lists:seq(1, 65536)]"),
     canon("large/tuple 70000 elements", list_to_tuple(lists:seq(1, 70000)), "list_to_tuple(lists:seq(1, 70000))"),
     canon("large/map 1000 keys", maps:from_list([{I, integer_to_binary(I)} || I <- lists:seq(1, 1000)]),
           "maps:from_list([{I, integer_to_binary(I)} || I <- lists:seq(1, 1000)])")].

%%% ------------------------------------------------------------------
%%% Typed JSON of a term
%%% ------------------------------------------------------------------

obj(Pairs) -> {obj, Pairs}.

typed(I) when is_integer(I) -> obj([{<<"int">>, integer_to_binary(I)}]);
typed(F) when is_float(F) -> obj([{<<"float">>, hex(<<F:64/float>>)}]);
typed(A) when is_atom(A) -> obj([{<<"atom">>, atom_to_binary(A, utf8)}]);
typed(B) when is_binary(B) -> obj([{<<"bin">>, hex(B)}]);
typed(B) when is_bitstring(B) ->
    Last = bit_size(B) rem 8,
    obj([{<<"bits">>, hex(<<B/bitstring, 0:(8 - Last)>>)}, {<<"last">>, Last}]);
typed(T) when is_tuple(T) -> obj([{<<"tuple">>, [typed(E) || E <- tuple_to_list(T)]}]);
typed(L) when is_list(L) -> typed_list(L, []);
typed(M) when is_map(M) -> obj([{<<"map">>, map_pairs(M)}]);
typed(P) when is_pid(P) -> obj([{<<"pid">>, pid_fields(mv2(P))}]);
typed(R) when is_reference(R) -> obj([{<<"ref">>, ref_fields(mv2(R))}]);
typed(P) when is_port(P) -> obj([{<<"port">>, port_fields(mv2(P))}]);
typed(F) when is_function(F) ->
    case mv2(F) of
        <<131, 113, R/binary>> ->
            {M, R1} = atom_text(R),
            {N, <<97, A>>} = atom_text(R1),
            obj([{<<"export">>, obj([{<<"module">>, M}, {<<"fun">>, N},
                                     {<<"arity">>, A}])}]);
        <<131, 112, _/binary>> = B ->
            obj([{<<"fun">>, fun_fields(B)}])
    end.

typed_list([H | T], Acc) -> typed_list(T, [typed(H) | Acc]);
typed_list([], Acc) -> obj([{<<"list">>, lists:reverse(Acc)}]);
typed_list(Tail, Acc) ->
    obj([{<<"improper">>, lists:reverse(Acc)}, {<<"tail">>, typed(Tail)}]).

%% Entries in the order term_to_binary writes them.
map_pairs(M) ->
    <<131, 116, N:32, Rest/binary>> = mv2(M),
    map_pairs(N, Rest, M, []).

map_pairs(0, <<>>, _, Acc) -> lists:reverse(Acc);
map_pairs(N, Bin, M, Acc) ->
    {KB, R1} = split_term(Bin),
    {_, R2} = split_term(R1),
    K = binary_to_term(<<131, KB/binary>>),
    map_pairs(N - 1, R2, M, [[typed(K), typed(maps:get(K, M))] | Acc]).

pid_fields(<<131, 88, R/binary>>) ->
    {Node, <<Id:32, Ser:32, Cr:32>>} = atom_text(R),
    pid_obj(Node, Id, Ser, Cr).

pid_obj(Node, Id, Ser, Cr) ->
    obj([{<<"node">>, Node}, {<<"id">>, Id}, {<<"serial">>, Ser}, {<<"creation">>, Cr}]).

ref_fields(<<131, 90, Len:16, R/binary>>) ->
    {Node, <<Cr:32, Words/binary>>} = atom_text(R),
    Len * 4 =:= byte_size(Words) orelse error(bad_ref),
    obj([{<<"node">>, Node}, {<<"creation">>, Cr},
         {<<"ids">>, [W || <<W:32>> <= Words]}]).

port_fields(<<131, 89, R/binary>>) ->
    {Node, <<Id:32, Cr:32>>} = atom_text(R),
    port_obj(Node, Id, Cr);
port_fields(<<131, 120, R/binary>>) ->
    {Node, <<Id:64, Cr:32>>} = atom_text(R),
    port_obj(Node, Id, Cr).

port_obj(Node, Id, Cr) ->
    obj([{<<"node">>, Node}, {<<"id">>, integer_to_binary(Id)}, {<<"creation">>, Cr}]).

fun_fields(<<131, 112, Size:32, Body/binary>>) ->
    Size =:= byte_size(Body) + 4 orelse error(bad_fun_size),
    <<Arity, Uniq:16/binary, Index:32, NumFree:32, R0/binary>> = Body,
    {ModB, R1} = split_term(R0),
    {OldIndexB, R2} = split_term(R1),
    {OldUniqB, R3} = split_term(R2),
    {PidB, R4} = split_term(R3),
    {FreeBs, <<>>} = split_n(NumFree, R4, []),
    Dec = fun(B) -> binary_to_term(<<131, B/binary>>) end,
    obj([{<<"arity">>, Arity}, {<<"uniq">>, hex(Uniq)}, {<<"index">>, Index},
         {<<"module">>, atom_to_binary(Dec(ModB), utf8)},
         {<<"old_index">>, Dec(OldIndexB)}, {<<"old_uniq">>, Dec(OldUniqB)},
         {<<"pid">>, pid_fields(<<131, PidB/binary>>)},
         {<<"free">>, [typed(Dec(B)) || B <- FreeBs]}]).

atom_text(<<119, L, A:L/binary, R/binary>>) -> {A, R};
atom_text(<<118, L:16, A:L/binary, R/binary>>) -> {A, R}.

split_n(0, Bin, Acc) -> {lists:reverse(Acc), Bin};
split_n(N, Bin, Acc) ->
    {T, R} = split_term(Bin),
    split_n(N - 1, R, [T | Acc]).

%% {BytesOfOneTerm, Rest} for the encodings term_to_binary emits.
split_term(Bin) ->
    Rest = skip(Bin),
    {binary:part(Bin, 0, byte_size(Bin) - byte_size(Rest)), Rest}.

skip(<<70, _:8/binary, R/binary>>) -> R;
skip(<<77, L:32, _, _:L/binary, R/binary>>) -> R;
skip(<<88, R/binary>>) -> <<_:12/binary, R2/binary>> = skip(R), R2;
skip(<<89, R/binary>>) -> <<_:8/binary, R2/binary>> = skip(R), R2;
skip(<<120, R/binary>>) -> <<_:12/binary, R2/binary>> = skip(R), R2;
skip(<<90, L:16, R/binary>>) -> N = 4 + 4 * L, <<_:N/binary, R2/binary>> = skip(R), R2;
skip(<<97, _, R/binary>>) -> R;
skip(<<98, _:32, R/binary>>) -> R;
skip(<<104, A, R/binary>>) -> skip_n(A, R);
skip(<<105, A:32, R/binary>>) -> skip_n(A, R);
skip(<<106, R/binary>>) -> R;
skip(<<107, L:16, _:L/binary, R/binary>>) -> R;
skip(<<108, L:32, R/binary>>) -> skip_n(L + 1, R);
skip(<<109, L:32, _:L/binary, R/binary>>) -> R;
skip(<<110, N, _, _:N/binary, R/binary>>) -> R;
skip(<<111, N:32, _, _:N/binary, R/binary>>) -> R;
skip(<<112, S:32, R/binary>>) -> N = S - 4, <<_:N/binary, R2/binary>> = R, R2;
skip(<<113, R/binary>>) -> skip_n(3, R);
skip(<<116, A:32, R/binary>>) -> skip_n(2 * A, R);
skip(<<118, L:16, _:L/binary, R/binary>>) -> R;
skip(<<119, L, _:L/binary, R/binary>>) -> R.

skip_n(0, R) -> R;
skip_n(N, R) -> skip_n(N - 1, skip(R)).

%%% ------------------------------------------------------------------
%%% JSON output
%%% ------------------------------------------------------------------

file_json(Cases) ->
    Head = [<<"{\"format\": \"etf\", \"generator\": ">>, jstr(?GEN),
            <<", \"otp\": ">>, jstr(list_to_binary(erlang:system_info(otp_release))),
            <<", \"erts\": ">>, jstr(list_to_binary(erlang:system_info(version))),
            <<", \"cases\": [\n">>],
    [Head, lists:join(<<",\n">>, [json(case_obj(C)) || C <- Cases]), <<"\n]}\n">>].

case_obj(#{error := true, name := N, hex := H}) ->
    obj([{<<"name">>, N}, {<<"hex">>, H}, {<<"error">>, true}]);
case_obj(#{canonical := true} = C) ->
    obj(common(C) ++ [{<<"canonical">>, true}]);
case_obj(#{canonical := false, reencoded := R} = C) ->
    obj(common(C) ++ [{<<"canonical">>, false}, {<<"reencoded">>, R}]).

common(#{name := N, erl := E, hex := H, term := T}) ->
    [{<<"name">>, N}, {<<"erl">>, E}, {<<"hex">>, H}, {<<"term">>, T}].

json({obj, Pairs}) ->
    [${, lists:join($,, [[jstr(K), $:, json(V)] || {K, V} <- Pairs]), $}];
json(L) when is_list(L) -> [$[, lists:join($,, [json(V) || V <- L]), $]];
json(B) when is_binary(B) -> jstr(B);
json(I) when is_integer(I) -> integer_to_binary(I);
json(true) -> <<"true">>;
json(false) -> <<"false">>.

jstr(B) ->
    case binary:match(B, esc_pattern()) of
        nomatch -> [$", B, $"];
        _ -> [$", << <<(esc(C))/binary>> || <<C>> <= B >>, $"]
    end.

esc($") -> <<"\\\"">>;
esc($\\) -> <<"\\\\">>;
esc(C) when C < 16#20 -> list_to_binary(io_lib:format("\\u~4.16.0b", [C]));
esc(C) -> <<C>>.

esc_pattern() ->
    case persistent_term:get({?MODULE, esc}, undefined) of
        undefined ->
            P = binary:compile_pattern([<<"\"">>, <<"\\">> | [<<C>> || C <- lists:seq(0, 31)]]),
            persistent_term:put({?MODULE, esc}, P),
            P;
        P -> P
    end.

hex(B) -> << <<(hexd(H)), (hexd(L))>> || <<H:4, L:4>> <= B >>.

hexd(N) when N < 10 -> $0 + N;
hexd(N) -> $a + N - 10.

%%% ------------------------------------------------------------------
%%% Small helpers
%%% ------------------------------------------------------------------

bin(B) when is_binary(B) -> B;
bin(L) -> unicode:characters_to_binary(L).

fmt(F, A) -> lists:flatten(io_lib:format(F, A)).
