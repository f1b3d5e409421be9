%% etf_echo: reads {packet,4} frames on stdin, each an external term; answers each with
%% <<0, term_to_binary(binary_to_term(Frame), [{minor_version,2}])/binary>>, or
%% <<1, term_to_binary(Reason)/binary>> when binary_to_term rejects the frame.
%% Used by the ETF property test to run TypeScript-encoded terms through the real BEAM.
-module(etf_echo).
-export([main/0]).

main() ->
    Port = open_port({fd, 0, 1}, [binary, {packet, 4}, eof]),
    loop(Port).

loop(Port) ->
    receive
        {Port, {data, Frame}} ->
            Reply = try binary_to_term(Frame) of
                        Term -> <<0, (term_to_binary(Term, [{minor_version, 2}]))/binary>>
                    catch
                        Class:Reason -> <<1, (term_to_binary({Class, Reason}))/binary>>
                    end,
            port_command(Port, Reply),
            loop(Port);
        {Port, eof} ->
            halt(0)
    end.
