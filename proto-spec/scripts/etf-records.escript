#!/usr/bin/env escript
%% -*- erlang -*-
%%! -start_epmd false
%%
%% RECORD_EXT (tag 67, OTP 29 native records, EEP 79) test vectors, written by the real
%% OTP 29 VM into proto-spec/vectors/etf/records.json. Run it with
%%   npx tsx proto-spec/scripts/etf-records.ts
%% which finds an OTP 29 release (test/support/otp.ts) and runs this script there.
%%
%% Every canonical case is term_to_binary(T, [{minor_version, 2}, deterministic]) of a term
%% holding native records, checked to decode and re-encode to the same bytes. Crafted cases
%% are bytes the VM must accept and re-encode unchanged; invalid ones must raise badarg. The
%% typed JSON of each case is read from its bytes by the small parser at the end (no BIF
%% lists a native record's fields), so it states exactly what the bytes hold.
-module(etf_records_vec).
-export([main/1]).
-mode(compile).

-record #empty{}.
-record #point{x = 0, y = 0}.
-record #wide{a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9, j = 10, k = 11}.
-record #mixed{bin = <<>>, atom = ok, list = [], tuple = {}, float = 0.0, big = 0, str = ""}.
-export_record([pub]).
-record #pub{z = 1, a = 2}.

-define(GEN, <<"proto-spec/scripts/etf-records.escript">>).

main([Dir]) ->
    "29" =< erlang:system_info(otp_release) orelse fail("needs OTP 29 or later, this is ~s", [erlang:system_info(otp_release)]),
    Cases =
        [canon(<<"record/empty">>, #empty{}),
         canon(<<"record/point">>, #point{x = 1, y = 2}),
         canon(<<"record/point defaults">>, #point{}),
         canon(<<"record/exported">>, #pub{}),
         canon(<<"record/11 fields">>, #wide{}),
         canon(<<"record/mixed values">>, #mixed{bin = <<1, 2, 3>>, atom = 'é', list = [1, a, <<"x">>], tuple = {1, {2}},
                                                 float = 1.5, big = 1 bsl 70, str = "abc"}),
         canon(<<"record/nested">>, #point{x = #point{x = #empty{}, y = -1}, y = #pub{a = [#empty{}]}}),
         canon(<<"record/in a list">>, [#point{}, #point{x = 3}, #empty{}]),
         canon(<<"record/as map value">>, #{a => #point{x = 7}, b => #empty{}}),
         canon(<<"record/as map key">>, #{#point{x = 1} => one, #point{x = 2} => two}),
         canon(<<"record/in a tuple">>, {ok, #pub{z = <<"z">>}}),
         crafted(<<"record/crafted fields y, x">>, <<131, 67, 2:32, 0, 119, 1, $m, 119, 1, $n, 119, 1, $y, 119, 1, $x, 97, 1, 97, 2>>),
         crafted(<<"record/crafted exported, no fields">>, <<131, 67, 0:32, 1, 119, 1, $m, 119, 1, $n>>),
         invalid(<<"record/flags 2">>, <<131, 67, 0:32, 2, 119, 1, $m, 119, 1, $n>>),
         invalid(<<"record/flags 255">>, <<131, 67, 0:32, 255, 119, 1, $m, 119, 1, $n>>),
         invalid(<<"record/a field twice">>, <<131, 67, 2:32, 0, 119, 1, $m, 119, 1, $n, 119, 1, $x, 119, 1, $x, 97, 1, 97, 2>>),
         invalid(<<"record/a field name that is no atom">>, <<131, 67, 1:32, 0, 119, 1, $m, 119, 1, $n, 97, 1, 97, 2>>),
         invalid(<<"record/a module that is no atom">>, <<131, 67, 0:32, 0, 97, 1, 119, 1, $n>>),
         invalid(<<"record/2^32-1 fields">>, <<131, 67, 16#ffffffff:32, 0, 119, 1, $m, 119, 1, $n>>),
         invalid(<<"record/cut short">>, <<131, 67, 1:32, 0, 119, 1, $m, 119, 1, $n, 119, 1, $x>>)],
    ok = filelib:ensure_dir(filename:join(Dir, "x")),
    Path = filename:join(Dir, "records.json"),
    ok = file:write_file(Path, file_json(Cases)),
    io:format("records.json ~b cases (OTP ~s, erts ~s)~n", [length(Cases), erlang:system_info(otp_release), erlang:system_info(version)]);
main(_) ->
    io:format(standard_error, "usage: escript etf-records.escript <output dir>~n", []),
    halt(2).

enc(T) -> term_to_binary(T, [{minor_version, 2}, deterministic]).

canon(Name, T) ->
    B = enc(T),
    T2 = binary_to_term(B),
    T2 =:= T orelse fail("~s: decode(encode(T)) =/= T", [Name]),
    enc(T2) =:= B orelse fail("~s: encode(decode(B)) =/= B", [Name]),
    #{name => Name, erl => iolist_to_binary(io_lib:format("~0p", [T])), hex => hex(B), term => typed(B), canonical => true}.

crafted(Name, B) ->
    T = try binary_to_term(B) catch C:E -> fail("~s: ~p:~p", [Name, C, E]) end,
    enc(T) =:= B orelse fail("~s: not re-encoded unchanged: ~w", [Name, enc(T)]),
    #{name => Name, erl => iolist_to_binary(io_lib:format("~0p", [T])), hex => hex(B), term => typed(B), canonical => true}.

invalid(Name, B) ->
    try binary_to_term(B) of
        V -> fail("~s: expected badarg, decoded ~P", [Name, V, 10])
    catch
        error:badarg -> #{name => Name, hex => hex(B), error => true}
    end.

fail(Fmt, Args) ->
    io:format(standard_error, "etf-records: " ++ Fmt ++ "~n", Args),
    halt(1).

hex(B) -> << <<(hexd(N))>> || <<N:4>> <= B >>.
hexd(N) when N < 10 -> $0 + N;
hexd(N) -> $a + N - 10.

%%% Typed JSON (proto-spec/etf.md §8) read from the bytes, for the tags these cases use.

typed(<<131, B/binary>>) ->
    {J, <<>>} = t(B),
    J.

t(<<67, N:32, Flags, R0/binary>>) ->
    {Mod, R1} = t(R0),
    {Name, R2} = t(R1),
    {Fields, R3} = many(N, R2),
    {Values, R4} = many(N, R3),
    {obj([{<<"record">>, obj([{<<"module">>, atom_of(Mod)}, {<<"name">>, atom_of(Name)},
                              {<<"exported">>, Flags =:= 1},
                              {<<"fields">>, [atom_of(F) || F <- Fields]},
                              {<<"values">>, Values}])}]), R4};
t(<<119, L, A:L/binary, R/binary>>) -> {obj([{<<"atom">>, A}]), R};
t(<<97, I, R/binary>>) -> {int(I), R};
t(<<98, I:32/signed, R/binary>>) -> {int(I), R};
t(<<110, N, S, D:N/binary, R/binary>>) ->
    V = binary:decode_unsigned(D, little),
    {int(case S of 0 -> V; _ -> -V end), R};
t(<<70, F:8/binary, R/binary>>) -> {obj([{<<"float">>, hex(F)}]), R};
t(<<109, L:32, B:L/binary, R/binary>>) -> {obj([{<<"bin">>, hex(B)}]), R};
t(<<106, R/binary>>) -> {obj([{<<"list">>, []}]), R};
t(<<107, L:16, S:L/binary, R/binary>>) -> {obj([{<<"list">>, [int(C) || <<C>> <= S]}]), R};
t(<<108, N:32, R0/binary>>) ->
    {Es, <<106, R1/binary>>} = many(N, R0),
    {obj([{<<"list">>, Es}]), R1};
t(<<104, N, R0/binary>>) ->
    {Es, R1} = many(N, R0),
    {obj([{<<"tuple">>, Es}]), R1};
t(<<116, N:32, R0/binary>>) ->
    {KVs, R1} = many(2 * N, R0),
    {obj([{<<"map">>, pairs(KVs)}]), R1}.

many(0, R) -> {[], R};
many(N, R0) ->
    {J, R1} = t(R0),
    {Js, R2} = many(N - 1, R1),
    {[J | Js], R2}.

pairs([]) -> [];
pairs([K, V | T]) -> [[K, V] | pairs(T)].

int(I) -> obj([{<<"int">>, integer_to_binary(I)}]).
atom_of({obj, [{<<"atom">>, A}]}) -> A.
obj(Pairs) -> {obj, Pairs}.

file_json(Cases) ->
    Head = [<<"{\"format\": \"etf\", \"generator\": ">>, jstr(?GEN),
            <<", \"otp\": ">>, jstr(list_to_binary(erlang:system_info(otp_release))),
            <<", \"erts\": ">>, jstr(list_to_binary(erlang:system_info(version))),
            <<", \"cases\": [\n">>],
    [Head, lists:join(<<",\n">>, [json(case_obj(C)) || C <- Cases]), <<"\n]}\n">>].

case_obj(#{error := true, name := N, hex := H}) ->
    obj([{<<"name">>, N}, {<<"hex">>, H}, {<<"error">>, true}]);
case_obj(#{name := N, erl := E, hex := H, term := T}) ->
    obj([{<<"name">>, N}, {<<"erl">>, E}, {<<"hex">>, H}, {<<"term">>, T}, {<<"canonical">>, true}]).

json({obj, Pairs}) -> [${, lists:join($,, [[jstr(K), $:, json(V)] || {K, V} <- Pairs]), $}];
json(L) when is_list(L) -> [$[, lists:join($,, [json(V) || V <- L]), $]];
json(B) when is_binary(B) -> jstr(B);
json(I) when is_integer(I) -> integer_to_binary(I);
json(true) -> <<"true">>;
json(false) -> <<"false">>.

jstr(B) -> [$", << <<(esc(C))/binary>> || <<C>> <= B >>, $"].
esc($") -> <<"\\\"">>;
esc($\\) -> <<"\\\\">>;
esc(C) when C < 16#20 -> list_to_binary(io_lib:format("\\u~4.16.0b", [C]));
esc(C) -> <<C>>.
