/** Who a user is to Dispatch: a customer (the default of every sign-up) or an admin. */
export enum UserRole {
  Customer = 'customer',
  Admin = 'admin',
}
