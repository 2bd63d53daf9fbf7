/** The SMTP capture server this process runs (null when capture is off or another process serves it). */
export const SMTP_CAPTURE = Symbol('SMTP_CAPTURE');
