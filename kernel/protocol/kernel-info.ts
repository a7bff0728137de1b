/**
 * The kernel_info_reply content, built in one place: the core answers kernel_info on shell with
 * it, and the socket thread answers kernel_info on control with the same content (computed once
 * at start-up and handed over), so both channels always agree.
 */
import type { InterpreterInfo } from '../interpreter';
import { PROTOCOL_VERSION, type ReplyContent } from './messages';

export function kernelInfoContent(info: InterpreterInfo, debuggerAvailable: boolean): ReplyContent<'kernel_info_request'> {
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: info.implementation,
    implementation_version: info.implementationVersion,
    language_info: { ...info.languageInfo },
    banner: info.banner,
    help_links: info.helpLinks,
    debugger: debuggerAvailable,
  };
}
